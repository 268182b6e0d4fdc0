/// Where the execution model sends its orders: the fill model itself in the in-process engine, a `Broker` (through
/// `BrokerVenue`) in the execution service and in a paper session.
///
/// Orders are immediate-or-cancel: the model sends one when it means it to fill now — at the bar's open, at a stop
/// or target level the bar has reached, at the last close — and a venue that cannot fill it returns nil.
public protocol ExecutionVenue {
    /// Carries out `ticket` now. Returns the price it filled at (slippage included), or nil when it did not fill.
    mutating func execute(_ ticket: OrderTicket) -> Double?
}

/// One order of the execution model, before it has a client order id.
public struct OrderTicket: Sendable, Equatable {
    public var side: OrderSide
    public var quantity: Double
    /// `.market` at `price` (the bar's open, or its close after the bar closed), `.stop` or `.limit` at the level
    /// `price` that the bar has reached.
    public var type: OrderType
    public var price: Double
    /// Why the model trades: it travels with the fill into the trade log.
    public var reason: FillReason

    public init(side: OrderSide, quantity: Double, type: OrderType, price: Double, reason: FillReason) {
        self.side = side
        self.quantity = quantity
        self.type = type
        self.price = price
        self.reason = reason
    }
}
