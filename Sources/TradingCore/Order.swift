/// The side of an order or fill.
public enum OrderSide: String, Sendable, Hashable, Codable {
    case buy = "BUY"
    case sell = "SELL"
}

/// The kind of an order.
public enum OrderType: String, Sendable, Hashable, Codable {
    case market = "MARKET"
    case limit = "LIMIT"
    case stop = "STOP"
}

/// An order to a broker. `clientOrderID` is deterministic (strategy, symbol, bar sequence) so a
/// resubmission after a crash is recognisable.
public struct Order: Sendable, Hashable {
    public var clientOrderID: String
    public var symbol: String
    public var side: OrderSide
    public var quantity: Double
    public var type: OrderType
    /// Limit price for `.limit`, trigger price for `.stop`; nil for `.market`.
    public var price: Double?

    public init(clientOrderID: String, symbol: String, side: OrderSide, quantity: Double, type: OrderType,
                price: Double? = nil) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.quantity = quantity
        self.type = type
        self.price = price
    }
}

/// Why a fill happened.
public enum FillReason: String, Sendable, Hashable, Codable, CaseIterable {
    case signal
    case stop
    case takeProfit = "take_profit"
    case dailyCap = "daily_cap"
    case end
    /// The kill switch closed the position (`MeshCtl kill --flatten`, or `flatten_on_kill` in the risk config).
    case kill
}

/// An execution of (all of) an order.
public struct Fill: Sendable, Hashable {
    public var clientOrderID: String
    public var symbol: String
    public var side: OrderSide
    public var quantity: Double
    public var price: Double
    /// Fixed cost charged for this fill (slippage is already inside `price`).
    public var cost: Double
    public var reason: FillReason

    public init(clientOrderID: String, symbol: String, side: OrderSide, quantity: Double, price: Double,
                cost: Double, reason: FillReason) {
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.quantity = quantity
        self.price = price
        self.cost = cost
        self.reason = reason
    }
}

/// Account state for one symbol after a bar: signed position (units), cash, equity and PnL.
public struct PositionSnapshot: Sendable, Hashable {
    public var symbol: String
    public var position: Double
    public var cash: Double
    public var equity: Double
    public var realizedPnL: Double
    public var unrealizedPnL: Double

    public init(symbol: String, position: Double, cash: Double, equity: Double, realizedPnL: Double,
                unrealizedPnL: Double) {
        self.symbol = symbol
        self.position = position
        self.cash = cash
        self.equity = equity
        self.realizedPnL = realizedPnL
        self.unrealizedPnL = unrealizedPnL
    }
}
