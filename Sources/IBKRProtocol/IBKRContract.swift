/// An instrument as the TWS API identifies it. For stocks: symbol, `STK`, `SMART` routing and the currency; a
/// `primaryExchange` disambiguates a symbol listed on several exchanges, and a known `conId` pins the contract.
public struct IBKRContract: Sendable, Hashable {
    /// IB's contract id (0 when unknown).
    public var conId: Int
    /// The ticker, e.g. `AAPL`.
    public var symbol: String
    /// The security type: `STK`, `FUT`, `OPT`, `CASH`, …
    public var secType: String
    /// Expiry (derivatives only).
    public var lastTradeDateOrContractMonth: String
    /// Strike (options only; nil when unset).
    public var strike: Double?
    /// `C`/`P` (options only).
    public var right: String
    /// Contract multiplier (derivatives only).
    public var multiplier: String
    /// Destination exchange or `SMART`.
    public var exchange: String
    /// The listing exchange, e.g. `NASDAQ` (optional).
    public var primaryExchange: String
    /// Currency, e.g. `USD`.
    public var currency: String
    /// IB's local symbol (optional).
    public var localSymbol: String
    /// IB's trading class (optional).
    public var tradingClass: String

    /// A contract with every field given.
    public init(conId: Int = 0, symbol: String, secType: String, lastTradeDateOrContractMonth: String = "",
                strike: Double? = nil, right: String = "", multiplier: String = "", exchange: String,
                primaryExchange: String = "", currency: String, localSymbol: String = "", tradingClass: String = "") {
        self.conId = conId
        self.symbol = symbol
        self.secType = secType
        self.lastTradeDateOrContractMonth = lastTradeDateOrContractMonth
        self.strike = strike
        self.right = right
        self.multiplier = multiplier
        self.exchange = exchange
        self.primaryExchange = primaryExchange
        self.currency = currency
        self.localSymbol = localSymbol
        self.tradingClass = tradingClass
    }

    /// A stock routed through SMART.
    public static func stock(_ symbol: String, currency: String = "USD", exchange: String = "SMART",
                             primaryExchange: String = "", conId: Int = 0) -> IBKRContract {
        IBKRContract(conId: conId, symbol: symbol, secType: "STK", exchange: exchange,
                     primaryExchange: primaryExchange, currency: currency)
    }

    /// The twelve contract fields shared by market-data requests: conId, symbol, secType, expiry, strike, right,
    /// multiplier, exchange, primaryExchange, currency, localSymbol, tradingClass.
    func write(to writer: inout IBKRMessageWriter) throws(IBKRProtocolError) {
        writer.add(conId)
        try writer.add(symbol, field: "symbol")
        try writer.add(secType, field: "secType")
        try writer.add(lastTradeDateOrContractMonth, field: "lastTradeDateOrContractMonth")
        writer.addOrEmpty(strike)
        try writer.add(right, field: "right")
        try writer.add(multiplier, field: "multiplier")
        try writer.add(exchange, field: "exchange")
        try writer.add(primaryExchange, field: "primaryExchange")
        try writer.add(currency, field: "currency")
        try writer.add(localSymbol, field: "localSymbol")
        try writer.add(tradingClass, field: "tradingClass")
    }
}

extension IBKRContract {
    /// Reads the contract as `execDetails`, `position`, `openOrder` and `completedOrder` send it: conId, symbol,
    /// secType, expiry, strike, right, multiplier, exchange, currency, localSymbol and (unless `tradingClass` is
    /// false, for old message versions) tradingClass. With `primaryExchange`, the twelve fields of a request
    /// (`write(to:)`), which has the primary exchange after the exchange. A strike of 0 reads as unset.
    init(reader: inout IBKRFieldReader, tradingClass readTradingClass: Bool = true,
         primaryExchange readPrimaryExchange: Bool = false) throws(IBKRProtocolError) {
        conId = try reader.int("conId")
        symbol = try reader.string("symbol")
        secType = try reader.string("secType")
        lastTradeDateOrContractMonth = try reader.string("lastTradeDateOrContractMonth")
        strike = try reader.optionalDouble("strike").flatMap { $0 == 0 ? nil : $0 }
        right = try reader.string("right")
        multiplier = try reader.string("multiplier")
        exchange = try reader.string("exchange")
        primaryExchange = readPrimaryExchange ? try reader.string("primaryExchange") : ""
        currency = try reader.string("currency")
        localSymbol = try reader.string("localSymbol")
        tradingClass = readTradingClass ? try reader.string("tradingClass") : ""
    }
}
