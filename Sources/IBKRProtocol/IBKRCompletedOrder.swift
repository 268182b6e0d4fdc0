/// A `completedOrder` message (101): an order that finished today (filled, cancelled, rejected), in answer to
/// `reqCompletedOrders`. Its layout differs from `openOrder` (no order id or client id; completion time and status
/// at the end); the fields below are kept.
public struct IBKRCompletedOrder: Sendable, Hashable {
    /// Instrument, side, quantity, type, prices, time in force, OCA group, account, orderRef.
    public var terms: IBKROrderTerms
    /// IB's permanent id.
    public var permId: Int64
    /// The order state, e.g. `Filled`, `Cancelled`.
    public var status: String
    /// Quantity filled.
    public var filledQuantity: IBKRDecimal?
    /// The parent's permanent id (nil when none).
    public var parentPermId: Int64?
    /// When it completed, as TWS writes it.
    public var completedTime: String
    /// How it completed, as TWS writes it.
    public var completedStatus: String
    /// Who submitted it.
    public var submitter: String

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        typealias Walk = IBKROrderFieldWalker
        terms = try IBKROrderTerms(reader: &reader)
        permId = Int64(try reader.int("permId"))
        try Walk.skip(&reader, ["outsideRth", "hidden", "discretionaryAmt", "goodAfterTime", "faGroup", "faMethod",
                                "faPercentage", "modelCode", "goodTillDate", "rule80A", "percentOffset",
                                "settlingFirm", "shortSaleSlot", "designatedLocation", "exemptCode", "startingPrice",
                                "stockRefPrice", "delta", "stockRangeLower", "stockRangeUpper", "displaySize",
                                "sweepToFill", "allOrNone", "minQty", "ocaType", "triggerMethod"])
        _ = try Walk.volatility(&reader, openOrderAttributes: false)
        try Walk.skip(&reader, ["trailStopPrice", "trailingPercent"])
        try Walk.comboLegsAndRouting(&reader)
        try Walk.scaleAndHedge(&reader)
        try Walk.skip(&reader, ["clearingAccount", "clearingIntent", "notHeld"])
        try Walk.deltaNeutralAndAlgo(&reader)
        try reader.skip("solicited")
        status = try reader.string("status")
        try Walk.skip(&reader, ["randomizeSize", "randomizePrice"])
        try Walk.pegBenchAndConditions(&reader, orderType: terms.orderType, message: reader.message)
        try Walk.skip(&reader, ["trailStopPrice", "lmtPriceOffset", "cashQty", "dontUseAutoPriceForHedge",
                                "isOmsContainer", "autoCancelDate"])
        filledQuantity = try reader.decimal("filledQuantity")
        try Walk.skip(&reader, ["refFuturesConId", "autoCancelParent", "shareholder", "imbalanceOnly",
                                "routeMarketableToBbo"])
        parentPermId = try reader.optionalInt("parentPermId").flatMap { $0 == 0 ? nil : Int64($0) }
        completedTime = try reader.string("completedTime")
        completedStatus = try reader.string("completedStatus")
        try Walk.pegBestPegMid(&reader)
        try Walk.skip(&reader, ["customerAccount", "professionalCustomer"])
        submitter = try reader.string("submitter")
    }
}

extension IBKRCompletedOrder {
    /// A completed order as a server reports it.
    public init(terms: IBKROrderTerms, permId: Int64, status: String, filledQuantity: IBKRDecimal?,
                parentPermId: Int64? = nil, completedTime: String, completedStatus: String, submitter: String = "") {
        self.terms = terms
        self.permId = permId
        self.status = status
        self.filledQuantity = filledQuantity
        self.parentPermId = parentPermId
        self.completedTime = completedTime
        self.completedStatus = completedStatus
        self.submitter = submitter
    }
}
