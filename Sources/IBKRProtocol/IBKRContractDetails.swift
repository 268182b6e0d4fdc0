/// A `contractDetails` message (10): one contract matching a `reqContractDetails`, with its trading rules.
public struct IBKRContractDetails: Sendable, Hashable {
    /// The request id.
    public var reqId: Int
    /// The contract, with its `conId` and primary exchange filled in.
    public var contract: IBKRContract
    /// The last trade date (derivatives).
    public var lastTradeDate: String
    /// The market name.
    public var marketName: String
    /// The minimum price increment.
    public var minTick: Double
    /// Order types TWS accepts for it, comma separated.
    public var orderTypes: String
    /// Exchanges it can be routed to, comma separated.
    public var validExchanges: String
    /// Price magnifier.
    public var priceMagnifier: Int
    /// Underlying contract id (derivatives).
    public var underConId: Int
    /// The descriptive name, e.g. `APPLE INC`.
    public var longName: String
    /// Contract month (derivatives).
    public var contractMonth: String
    /// Industry classification.
    public var industry: String
    /// Category classification.
    public var category: String
    /// Subcategory classification.
    public var subcategory: String
    /// The exchange's time zone id, e.g. `US/Eastern`.
    public var timeZoneId: String
    /// Trading hours, `yyyymmdd:hhmm-yyyymmdd:hhmm;…` (or `yyyymmdd:CLOSED`).
    public var tradingHours: String
    /// Liquid (regular) hours in the same format.
    public var liquidHours: String
    /// Economic value rule.
    public var evRule: String
    /// Economic value multiplier.
    public var evMultiplier: Int
    /// Other security ids (ISIN, CUSIP, …) as tag/value pairs.
    public var secIds: [IBKRTagValue]
    /// Aggregated group.
    public var aggGroup: Int
    /// Underlying symbol.
    public var underSymbol: String
    /// Underlying security type.
    public var underSecType: String
    /// Market rule ids per valid exchange, comma separated.
    public var marketRuleIds: String
    /// Real expiration date (derivatives).
    public var realExpirationDate: String
    /// Stock type, e.g. `COMMON`, `ETF`.
    public var stockType: String
    /// Minimum order size.
    public var minSize: IBKRDecimal?
    /// Size increment.
    public var sizeIncrement: IBKRDecimal?
    /// Suggested size increment.
    public var suggestedSizeIncrement: IBKRDecimal?
    /// Reasons the contract cannot be traded, as id/description pairs.
    public var ineligibilityReasons: [IBKRTagValue]

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        reqId = try reader.int("reqId")
        let symbol = try reader.string("symbol")
        let secType = try reader.string("secType")
        let expiry = try reader.string("lastTradeDateOrContractMonth")
        lastTradeDate = try reader.string("lastTradeDate")
        let strike = try reader.optionalDouble("strike")
        let right = try reader.string("right")
        let exchange = try reader.string("exchange")
        let currency = try reader.string("currency")
        let localSymbol = try reader.string("localSymbol")
        marketName = try reader.string("marketName")
        let tradingClass = try reader.string("tradingClass")
        let conId = try reader.int("conId")
        minTick = try reader.double("minTick")
        let multiplier = try reader.string("multiplier")
        orderTypes = try reader.string("orderTypes")
        validExchanges = try reader.string("validExchanges")
        priceMagnifier = try reader.int("priceMagnifier")
        underConId = try reader.int("underConId")
        longName = try reader.escapedString("longName")
        let primaryExchange = try reader.string("primaryExchange")
        contract = IBKRContract(conId: conId, symbol: symbol, secType: secType, lastTradeDateOrContractMonth: expiry,
                                strike: strike == 0 ? nil : strike, right: right, multiplier: multiplier,
                                exchange: exchange, primaryExchange: primaryExchange, currency: currency,
                                localSymbol: localSymbol, tradingClass: tradingClass)
        contractMonth = try reader.string("contractMonth")
        industry = try reader.string("industry")
        category = try reader.string("category")
        subcategory = try reader.string("subcategory")
        timeZoneId = try reader.string("timeZoneId")
        tradingHours = try reader.string("tradingHours")
        liquidHours = try reader.string("liquidHours")
        evRule = try reader.string("evRule")
        evMultiplier = try reader.int("evMultiplier")
        secIds = try IBKRTagValue.list(&reader, count: "secIdListCount", tag: "secIdTag", value: "secIdValue")
        aggGroup = try reader.int("aggGroup")
        underSymbol = try reader.string("underSymbol")
        underSecType = try reader.string("underSecType")
        marketRuleIds = try reader.string("marketRuleIds")
        realExpirationDate = try reader.string("realExpirationDate")
        stockType = try reader.string("stockType")
        minSize = try reader.decimal("minSize")
        sizeIncrement = try reader.decimal("sizeIncrement")
        suggestedSizeIncrement = try reader.decimal("suggestedSizeIncrement")
        if secType == "FUND" {
            // Fund name, family, type, loads, fees, closed flags, purchase minimums, blue-sky lists, policy, asset
            // type: 17 fields this client does not use.
            for field in 0..<17 { try reader.skip("fundField\(field)") }
        }
        ineligibilityReasons = try IBKRTagValue.list(&reader, count: "ineligibilityReasonCount",
                                                     tag: "ineligibilityReasonId",
                                                     value: "ineligibilityReasonDescription")
    }
}

extension IBKRContractDetails {
    /// Details of a stock-like contract; the fields not given are empty or zero.
    public init(reqId: Int, contract: IBKRContract, marketName: String = "", minTick: Double = 0.01,
                orderTypes: String = "LMT,MKT,STP,STP LMT", validExchanges: String = "SMART", longName: String = "",
                timeZoneId: String = "UTC", tradingHours: String = "", liquidHours: String = "",
                stockType: String = "COMMON") {
        self.reqId = reqId
        self.contract = contract
        lastTradeDate = ""
        self.marketName = marketName
        self.minTick = minTick
        self.orderTypes = orderTypes
        self.validExchanges = validExchanges
        priceMagnifier = 1
        underConId = 0
        self.longName = longName
        contractMonth = ""
        industry = ""
        category = ""
        subcategory = ""
        self.timeZoneId = timeZoneId
        self.tradingHours = tradingHours
        self.liquidHours = liquidHours
        evRule = ""
        evMultiplier = 0
        secIds = []
        aggGroup = 1
        underSymbol = ""
        underSecType = ""
        marketRuleIds = ""
        realExpirationDate = ""
        self.stockType = stockType
        minSize = IBKRDecimal(1)
        sizeIncrement = IBKRDecimal(1)
        suggestedSizeIncrement = IBKRDecimal(100)
        ineligibilityReasons = []
    }
}
