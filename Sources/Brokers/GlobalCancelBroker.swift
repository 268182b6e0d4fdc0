import TradingCore

/// A broker that can cancel every open order of the account in one request — Interactive Brokers'
/// `reqGlobalCancel`, which also reaches orders this process did not place or no longer knows about.
public protocol GlobalCancelBroker: Broker {
    /// Asks the broker to cancel every open order; the cancellations arrive as events later (`poll`).
    mutating func cancelEverything() -> [BrokerEvent]
}
