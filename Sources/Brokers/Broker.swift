import TradingCore

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

/// A broker: the simulated one, Interactive Brokers later. Every implementation passes the adapter test matrix
/// (`Tests/BrokersTests/BrokerAdapterMatrix.swift`).
public protocol Broker: Actor {
    /// Every acknowledgement, fill, cancellation and rejection, in the order they happened.
    nonisolated var events: AsyncStream<BrokerEvent> { get }
    func submit(_ order: Order) async
    func cancel(clientOrderID: String) async
    func openOrders() async -> [Order]
    func positions() async -> [String: Double]
    func account() async -> AccountSnapshot
}

/// Deterministic client order ids: strategy, symbol, bar sequence and attempt, so a resubmission after a crash is
/// recognisable (`threshold-NVDA-000123-1`).
public enum ClientOrderID {
    public static func make(strategy: String, symbol: String, barSequence: UInt64, attempt: Int = 1) -> String {
        let digits = String(barSequence)
        return "\(strategy)-\(symbol)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + "-\(attempt)"
    }
}
