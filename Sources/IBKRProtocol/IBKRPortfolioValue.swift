/// An `updatePortfolio` message (7): one position of the account subscribed with `reqAccountUpdates`, valued.
public struct IBKRPortfolioValue: Sendable, Hashable {
    /// The instrument.
    public var contract: IBKRContract
    /// Signed quantity.
    public var position: IBKRDecimal
    /// Market price per unit.
    public var marketPrice: Double
    /// Market value of the position.
    public var marketValue: Double
    /// Average cost per unit.
    public var averageCost: Double
    /// Unrealised P&L.
    public var unrealizedPNL: Double
    /// Realised P&L.
    public var realizedPNL: Double
    /// The account.
    public var account: String

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        let version = try reader.int("version")
        let conId = try reader.int("conId")
        let symbol = try reader.string("symbol")
        let secType = try reader.string("secType")
        let expiry = try reader.string("lastTradeDateOrContractMonth")
        let strike = try reader.optionalDouble("strike")
        let right = try reader.string("right")
        let multiplier = version >= 7 ? try reader.string("multiplier") : ""
        let primaryExchange = version >= 7 ? try reader.string("primaryExchange") : ""
        let currency = try reader.string("currency")
        let localSymbol = try reader.string("localSymbol")
        let tradingClass = version >= 8 ? try reader.string("tradingClass") : ""
        contract = IBKRContract(conId: conId, symbol: symbol, secType: secType, lastTradeDateOrContractMonth: expiry,
                                strike: strike == 0 ? nil : strike, right: right, multiplier: multiplier,
                                exchange: "", primaryExchange: primaryExchange, currency: currency,
                                localSymbol: localSymbol, tradingClass: tradingClass)
        position = try reader.quantity("position")
        marketPrice = try reader.double("marketPrice")
        marketValue = try reader.double("marketValue")
        averageCost = try reader.double("averageCost")
        unrealizedPNL = try reader.double("unrealizedPNL")
        realizedPNL = try reader.double("realizedPNL")
        account = try reader.string("accountName")
    }
}

extension IBKRPortfolioValue {
    /// A portfolio line of `account`.
    public init(contract: IBKRContract, position: IBKRDecimal, marketPrice: Double, marketValue: Double,
                averageCost: Double, unrealizedPNL: Double, realizedPNL: Double, account: String) {
        self.contract = contract
        self.position = position
        self.marketPrice = marketPrice
        self.marketValue = marketValue
        self.averageCost = averageCost
        self.unrealizedPNL = unrealizedPNL
        self.realizedPNL = realizedPNL
        self.account = account
    }
}
