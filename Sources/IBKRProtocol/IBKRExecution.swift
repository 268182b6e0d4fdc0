/// An `execDetails` message (11): one fill. `execId` is unique per fill (a correction reuses the prefix with a new
/// suffix); `orderRef` carries our client order id; the commission follows in a `commissionReport` with the same
/// `execId`.
public struct IBKRExecution: Sendable, Hashable {
    /// The `reqExecutions` id, or -1 for a fill pushed as it happens.
    public var reqId: Int
    /// The order id.
    public var orderId: Int
    /// The instrument.
    public var contract: IBKRContract
    /// IB's unique execution id.
    public var execId: String
    /// `yyyymmdd hh:mm:ss <zone>`.
    public var time: String
    /// The account.
    public var account: String
    /// Where it executed.
    public var exchange: String
    /// `BOT` or `SLD`.
    public var side: String
    /// Shares in this fill.
    public var shares: IBKRDecimal
    /// Price of this fill.
    public var price: Double
    /// IB's permanent order id.
    public var permId: Int64
    /// The API client that placed the order.
    public var clientId: Int
    /// 1 when IB liquidated the position.
    public var liquidation: Int
    /// Cumulative quantity of the order.
    public var cumulativeQuantity: IBKRDecimal
    /// Average price of the order so far.
    public var averagePrice: Double
    /// The order's `orderRef` (our client order id).
    public var orderRef: String
    /// Economic value rule (derivatives).
    public var evRule: String
    /// Economic value multiplier (nil when unset).
    public var evMultiplier: Double?
    /// The model code.
    public var modelCode: String
    /// Liquidity flag: 1 added, 2 removed, 3 routed out.
    public var lastLiquidity: Int
    /// True when the price may still be revised.
    public var pendingPriceRevision: Bool
    /// Who submitted the order.
    public var submitter: String

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        reqId = try reader.int("reqId")
        orderId = try reader.int("orderId")
        contract = try IBKRContract(reader: &reader)
        execId = try reader.string("execId")
        time = try reader.string("time")
        account = try reader.string("acctNumber")
        exchange = try reader.string("exchange")
        side = try reader.string("side")
        shares = try reader.quantity("shares")
        price = try reader.double("price")
        permId = Int64(try reader.int("permId"))
        clientId = try reader.int("clientId")
        liquidation = try reader.int("liquidation")
        cumulativeQuantity = try reader.quantity("cumQty")
        averagePrice = try reader.double("avgPrice")
        orderRef = try reader.string("orderRef")
        evRule = try reader.string("evRule")
        evMultiplier = try reader.optionalDouble("evMultiplier")
        modelCode = try reader.string("modelCode")
        lastLiquidity = try reader.int("lastLiquidity")
        pendingPriceRevision = try reader.bool("pendingPriceRevision")
        submitter = try reader.string("submitter")
    }
}

extension IBKRExecution {
    /// An execution as a server reports it (`reqId` -1 for a fill nobody asked for).
    public init(reqId: Int, orderId: Int, contract: IBKRContract, execId: String, time: String, account: String,
                exchange: String, side: String, shares: IBKRDecimal, price: Double, permId: Int64, clientId: Int,
                cumulativeQuantity: IBKRDecimal, averagePrice: Double, orderRef: String, liquidation: Int = 0,
                evRule: String = "", evMultiplier: Double? = nil, modelCode: String = "", lastLiquidity: Int = 0,
                pendingPriceRevision: Bool = false, submitter: String = "") {
        self.reqId = reqId
        self.orderId = orderId
        self.contract = contract
        self.execId = execId
        self.time = time
        self.account = account
        self.exchange = exchange
        self.side = side
        self.shares = shares
        self.price = price
        self.permId = permId
        self.clientId = clientId
        self.liquidation = liquidation
        self.cumulativeQuantity = cumulativeQuantity
        self.averagePrice = averagePrice
        self.orderRef = orderRef
        self.evRule = evRule
        self.evMultiplier = evMultiplier
        self.modelCode = modelCode
        self.lastLiquidity = lastLiquidity
        self.pendingPriceRevision = pendingPriceRevision
        self.submitter = submitter
    }
}
