/// A `reqHistoricalData` request: bars of `barSize` over `duration` ending at `endDateTime`, or, with
/// `keepUpToDate`, ending now and followed by updates of the last bar (then `endDateTime` must be empty).
public struct IBKRHistoricalDataRequest: Sendable, Hashable {
    /// The request id echoed in the answers.
    public var reqId: Int
    /// The instrument.
    public var contract: IBKRContract
    /// `yyyymmdd hh:mm:ss <zone>`, `yyyymmdd-hh:mm:ss` (UTC) or empty for now.
    public var endDateTime: String
    /// How far back: `1 D`, `2 W`, `3600 S`, …
    public var duration: String
    /// The bar size: `5 secs`, `1 min`, `5 mins`, `1 hour`, `1 day`, …
    public var barSize: String
    /// `TRADES`, `MIDPOINT`, `BID`, `ASK`, `BID_ASK`, …
    public var whatToShow: String
    /// Regular trading hours only.
    public var useRegularTradingHours: Bool
    /// 1 = dates as text, 2 = epoch seconds.
    public var formatDate: Int
    /// Keep sending updates of the last bar after the history.
    public var keepUpToDate: Bool
    /// Include expired contracts (futures/options).
    public var includeExpired: Bool

    /// A request; `keepUpToDate` requires an empty `endDateTime`.
    public init(reqId: Int, contract: IBKRContract, endDateTime: String = "", duration: String, barSize: String,
                whatToShow: String = "TRADES", useRegularTradingHours: Bool = true, formatDate: Int = 1,
                keepUpToDate: Bool = false, includeExpired: Bool = false) {
        self.reqId = reqId
        self.contract = contract
        self.endDateTime = endDateTime
        self.duration = duration
        self.barSize = barSize
        self.whatToShow = whatToShow
        self.useRegularTradingHours = useRegularTradingHours
        self.formatDate = formatDate
        self.keepUpToDate = keepUpToDate
        self.includeExpired = includeExpired
    }
}

extension IBKRHistoricalDataRequest {
    /// What makes two historical requests "identical" for TWS's 15-second rule: everything but the request id.
    struct PacingKey: Hashable, Sendable {
        var contract: IBKRContract
        var endDateTime: String
        var duration: String
        var barSize: String
        var whatToShow: String
        var useRegularTradingHours: Bool
        var keepUpToDate: Bool
    }

    /// What TWS's "same contract, exchange and data type within 2 seconds" rule groups by.
    struct ContractKey: Hashable, Sendable {
        var conId: Int
        var symbol: String
        var exchange: String
        var whatToShow: String
    }

    var pacingKey: PacingKey {
        PacingKey(contract: contract, endDateTime: endDateTime, duration: duration, barSize: barSize,
                  whatToShow: whatToShow, useRegularTradingHours: useRegularTradingHours, keepUpToDate: keepUpToDate)
    }

    var contractKey: ContractKey {
        ContractKey(conId: contract.conId, symbol: contract.symbol, exchange: contract.exchange, whatToShow: whatToShow)
    }

    /// `BID_ASK` requests count twice against the 10-minute limit.
    var pacingWeight: Int { whatToShow == "BID_ASK" ? 2 : 1 }
}
