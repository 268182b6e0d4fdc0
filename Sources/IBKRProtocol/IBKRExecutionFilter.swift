/// Which executions `reqExecutions` returns. Empty fields match everything.
public struct IBKRExecutionFilter: Sendable, Hashable {
    /// Only executions of this API client id (0 = all).
    public var clientId: Int
    /// Only this account.
    public var account: String
    /// Only executions after this time: `yyyymmdd-hh:mm:ss` (UTC) or `yyyymmdd hh:mm:ss <zone>`.
    public var time: String
    /// Only this symbol.
    public var symbol: String
    /// Only this security type.
    public var secType: String
    /// Only this exchange.
    public var exchange: String
    /// Only this side (`BUY`/`SELL`).
    public var side: String
    /// Only the last N days (nil = unset).
    public var lastNDays: Int?
    /// Only these dates (`yyyymmdd`).
    public var specificDates: [Int]

    /// A filter; the defaults match every execution of the current day.
    public init(clientId: Int = 0, account: String = "", time: String = "", symbol: String = "",
                secType: String = "", exchange: String = "", side: String = "", lastNDays: Int? = nil,
                specificDates: [Int] = []) {
        self.clientId = clientId
        self.account = account
        self.time = time
        self.symbol = symbol
        self.secType = secType
        self.exchange = exchange
        self.side = side
        self.lastNDays = lastNDays
        self.specificDates = specificDates
    }
}
