/// A `position` message (61): one position of one account, in answer to `reqPositions`.
public struct IBKRPosition: Sendable, Hashable {
    /// The account.
    public var account: String
    /// The instrument.
    public var contract: IBKRContract
    /// Signed quantity (negative = short).
    public var position: IBKRDecimal
    /// Average cost per unit (multiplier included).
    public var averageCost: Double

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        let version = try reader.int("version")
        account = try reader.string("account")
        contract = try IBKRContract(reader: &reader, tradingClass: version >= 2)
        position = try reader.quantity("position")
        averageCost = version >= 3 ? try reader.double("avgCost") : 0
    }
}

extension IBKRPosition {
    /// A position of `account`.
    public init(account: String, contract: IBKRContract, position: IBKRDecimal, averageCost: Double) {
        self.account = account
        self.contract = contract
        self.position = position
        self.averageCost = averageCost
    }
}
