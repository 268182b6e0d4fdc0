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
        let conId = try reader.int("conId")
        let symbol = try reader.string("symbol")
        let secType = try reader.string("secType")
        let expiry = try reader.string("lastTradeDateOrContractMonth")
        let strike = try reader.optionalDouble("strike")
        let right = try reader.string("right")
        let multiplier = try reader.string("multiplier")
        let exchange = try reader.string("exchange")
        let currency = try reader.string("currency")
        let localSymbol = try reader.string("localSymbol")
        let tradingClass = version >= 2 ? try reader.string("tradingClass") : ""
        contract = IBKRContract(conId: conId, symbol: symbol, secType: secType, lastTradeDateOrContractMonth: expiry,
                                strike: strike == 0 ? nil : strike, right: right, multiplier: multiplier,
                                exchange: exchange, currency: currency, localSymbol: localSymbol,
                                tradingClass: tradingClass)
        position = try reader.quantity("position")
        averageCost = version >= 3 ? try reader.double("avgCost") : 0
    }
}
