/// An `openOrder` message (5): an order working (or just finished) at TWS, with its state. Sent after
/// `placeOrder`, in answer to `reqOpenOrders`/`reqAllOpenOrders`, and on connect when TWS is set to download
/// open orders. The whole message (155 fields for a plain stock order at version 200, more when conditional blocks
/// are present) is walked; the fields below are kept.
public struct IBKROpenOrder: Sendable, Hashable {
    /// The order id.
    public var orderId: Int
    /// Instrument, side, quantity, type, prices, time in force, OCA group, account, orderRef.
    public var terms: IBKROrderTerms
    /// The API client that placed it.
    public var clientId: Int
    /// IB's permanent id.
    public var permId: Int64
    /// Outside regular trading hours allowed.
    public var outsideRegularTradingHours: Bool
    /// The parent order id (0 = none).
    public var parentId: Int
    /// OCA type.
    public var ocaType: Int
    /// Delta-neutral order type (TWS sends `None` for none).
    public var deltaNeutralOrderType: String
    /// True for a what-if preview.
    public var whatIf: Bool
    /// The order state, e.g. `PreSubmitted`.
    public var status: String
    /// Previewed commission (nil when unset).
    public var commission: Double?
    /// TWS's warning, if any.
    public var warningText: String
    /// Why TWS rejected it, if it did.
    public var rejectReason: String
    /// Who submitted it.
    public var submitter: String
    /// Imbalance-only flag.
    public var imbalanceOnly: Bool

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        typealias Walk = IBKROrderFieldWalker
        orderId = try reader.int("orderId")
        terms = try IBKROrderTerms(reader: &reader)
        clientId = try reader.int("clientId")
        permId = Int64(try reader.int("permId"))
        outsideRegularTradingHours = try reader.bool("outsideRth")
        try Walk.skip(&reader, ["hidden", "discretionaryAmt", "goodAfterTime", "sharesAllocation", "faGroup",
                                "faMethod", "faPercentage", "modelCode", "goodTillDate", "rule80A", "percentOffset",
                                "settlingFirm", "shortSaleSlot", "designatedLocation", "exemptCode",
                                "auctionStrategy", "startingPrice", "stockRefPrice", "delta", "stockRangeLower",
                                "stockRangeUpper", "displaySize", "blockOrder", "sweepToFill", "allOrNone",
                                "minQty"])
        ocaType = try reader.int("ocaType")
        try Walk.skip(&reader, ["eTradeOnly", "firmQuoteOnly", "nbboPriceCap"])
        parentId = try reader.int("parentId")
        try reader.skip("triggerMethod")
        deltaNeutralOrderType = try Walk.volatility(&reader, openOrderAttributes: true)
        try Walk.skip(&reader, ["trailStopPrice", "trailingPercent", "basisPoints", "basisPointsType"])
        try Walk.comboLegsAndRouting(&reader)
        try Walk.scaleAndHedge(&reader)
        try Walk.skip(&reader, ["optOutSmartRouting", "clearingAccount", "clearingIntent", "notHeld"])
        try Walk.deltaNeutralAndAlgo(&reader)
        try reader.skip("solicited")
        whatIf = try reader.bool("whatIf")
        status = try reader.string("status")
        try Walk.skip(&reader, ["initMarginBefore", "maintMarginBefore", "equityWithLoanBefore", "initMarginChange",
                                "maintMarginChange", "equityWithLoanChange", "initMarginAfter", "maintMarginAfter",
                                "equityWithLoanAfter"])
        commission = try reader.optionalDouble("commissionAndFees")
        try Walk.skip(&reader, ["minCommissionAndFees", "maxCommissionAndFees", "commissionAndFeesCurrency",
                                "marginCurrency", "initMarginBeforeOutsideRTH", "maintMarginBeforeOutsideRTH",
                                "equityWithLoanBeforeOutsideRTH", "initMarginChangeOutsideRTH",
                                "maintMarginChangeOutsideRTH", "equityWithLoanChangeOutsideRTH",
                                "initMarginAfterOutsideRTH", "maintMarginAfterOutsideRTH",
                                "equityWithLoanAfterOutsideRTH", "suggestedSize"])
        rejectReason = try reader.string("rejectReason")
        let allocations = try reader.int("orderAllocationsCount")
        for _ in 0..<max(allocations, 0) {
            try Walk.skip(&reader, ["allocationAccount", "allocationPosition", "allocationPositionDesired",
                                    "allocationPositionAfter", "allocationDesiredQty", "allocationAllowedQty",
                                    "allocationIsMonetary"])
        }
        warningText = try reader.string("warningText")
        try Walk.skip(&reader, ["randomizeSize", "randomizePrice"])
        try Walk.pegBenchAndConditions(&reader, orderType: terms.orderType, message: reader.message)
        try Walk.skip(&reader, ["adjustedOrderType", "triggerPrice", "trailStopPrice", "lmtPriceOffset",
                                "adjustedStopPrice", "adjustedStopLimitPrice", "adjustedTrailingAmount",
                                "adjustableTrailingUnit", "softDollarTierName", "softDollarTierValue",
                                "softDollarTierDisplayName", "cashQty", "dontUseAutoPriceForHedge",
                                "isOmsContainer", "discretionaryUpToLimitPrice", "usePriceMgmtAlgo", "duration",
                                "postToAts", "autoCancelParent"])
        try Walk.pegBestPegMid(&reader)
        try Walk.skip(&reader, ["customerAccount", "professionalCustomer", "bondAccruedInterest", "includeOvernight",
                                "extOperator", "manualOrderIndicator"])
        submitter = try reader.string("submitter")
        imbalanceOnly = try reader.bool("imbalanceOnly")
    }
}

extension IBKROpenOrder {
    /// An open order as a server reports it; the defaults are those TWS sends for a plain stock order.
    public init(orderId: Int, terms: IBKROrderTerms, clientId: Int, permId: Int64, status: String,
                outsideRegularTradingHours: Bool = false, parentId: Int = 0, ocaType: Int = 0,
                deltaNeutralOrderType: String = "None", whatIf: Bool = false, commission: Double? = nil,
                warningText: String = "", rejectReason: String = "", submitter: String = "",
                imbalanceOnly: Bool = false) {
        self.orderId = orderId
        self.terms = terms
        self.clientId = clientId
        self.permId = permId
        self.outsideRegularTradingHours = outsideRegularTradingHours
        self.parentId = parentId
        self.ocaType = ocaType
        self.deltaNeutralOrderType = deltaNeutralOrderType
        self.whatIf = whatIf
        self.status = status
        self.commission = commission
        self.warningText = warningText
        self.rejectReason = rejectReason
        self.submitter = submitter
        self.imbalanceOnly = imbalanceOnly
    }
}
