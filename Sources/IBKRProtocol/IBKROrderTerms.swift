/// What an order reported by TWS is — instrument, side, quantity, type, prices, time in force, OCA group, account
/// and our `orderRef` — as `openOrder` and `completedOrder` both send it, in the same order.
public struct IBKROrderTerms: Sendable, Hashable {
    /// The instrument.
    public var contract: IBKRContract
    /// `BUY`/`SELL`.
    public var action: String
    /// Total quantity.
    public var totalQuantity: IBKRDecimal
    /// `MKT`, `LMT`, `STP`, …
    public var orderType: String
    /// Limit price (nil when unset).
    public var limitPrice: Double?
    /// Aux (stop) price (nil when unset).
    public var auxPrice: Double?
    /// Time in force.
    public var timeInForce: String
    /// OCA group.
    public var ocaGroup: String
    /// The account.
    public var account: String
    /// Our client order id, as sent.
    public var orderRef: String

    /// Reads contract … orderRef (openClose and origin are read and dropped).
    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        contract = try IBKRContract(reader: &reader)
        action = try reader.string("action")
        totalQuantity = try reader.quantity("totalQuantity")
        orderType = try reader.string("orderType")
        limitPrice = try reader.optionalDouble("lmtPrice")
        auxPrice = try reader.optionalDouble("auxPrice")
        timeInForce = try reader.string("tif")
        ocaGroup = try reader.string("ocaGroup")
        account = try reader.string("account")
        try reader.skip("openClose")
        try reader.skip("origin")
        orderRef = try reader.string("orderRef")
    }
}

extension IBKROrderTerms {
    /// Terms as a server reports them.
    public init(contract: IBKRContract, action: String, totalQuantity: IBKRDecimal, orderType: String,
                limitPrice: Double? = nil, auxPrice: Double? = nil, timeInForce: String = "DAY", ocaGroup: String = "",
                account: String, orderRef: String = "") {
        self.contract = contract
        self.action = action
        self.totalQuantity = totalQuantity
        self.orderType = orderType
        self.limitPrice = limitPrice
        self.auxPrice = auxPrice
        self.timeInForce = timeInForce
        self.ocaGroup = ocaGroup
        self.account = account
        self.orderRef = orderRef
    }
}
