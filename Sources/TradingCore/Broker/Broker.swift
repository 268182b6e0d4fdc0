/// A broker as the execution service drives it: every call returns the events it caused, in the order they
/// happened, so order handling stays a state machine that tests can drive without sockets or timers.
///
/// The simulated broker (`SimulatedBroker`) is the first implementation; a broker on a socket (Interactive Brokers)
/// returns what its connection has received from `poll()`. Every implementation passes the adapter test matrix
/// (`Tests/BrokersTests/BrokerAdapterMatrix.swift`).
public protocol Broker: Sendable {
    /// Sends an order: an acknowledgement or a rejection, and the fill when it fills at once.
    mutating func submit(_ order: Order) -> [BrokerEvent]
    /// Cancels an open order: its cancellation, or nothing when it is no longer open.
    mutating func cancel(clientOrderID: String) -> [BrokerEvent]
    /// A bar of `symbol` opened: orders resting from earlier bars may fill.
    mutating func barOpened(symbol: String, _ bar: Bar) -> [BrokerEvent]
    /// The bar closed: positions are marked to its close.
    mutating func barClosed(symbol: String, _ bar: Bar) -> [BrokerEvent]
    /// Events that arrived on their own since the last call (none for the simulated broker).
    mutating func poll() -> [BrokerEvent]
    /// Orders accepted and neither filled nor cancelled, in the order they were sent.
    var openOrders: [Order] { get }
    /// Signed units held per symbol (flat symbols omitted).
    var positions: [String: Double] { get }
    var account: AccountSnapshot { get }
}

/// What a broker reports about orders.
public enum BrokerEvent: Sendable, Equatable {
    /// The broker accepted the order.
    case acknowledged(clientOrderID: String)
    case filled(Fill)
    case cancelled(clientOrderID: String)
    /// The broker refused the order.
    case rejected(clientOrderID: String, reason: String)
    /// The risk layer refused the order before any broker saw it.
    case denied(OrderDenied)
    /// The broker found that its records and the venue's disagree (a position after reconciliation): trading must
    /// stop until an operator looks. The risk layer (`RiskManagedBroker`) turns it into a halt.
    case halt(reason: String)
}

/// Account figures.
public struct AccountSnapshot: Sendable, Equatable {
    public var cash: Double
    public var equity: Double

    public init(cash: Double, equity: Double) {
        self.cash = cash
        self.equity = equity
    }
}
