import Logging
import TradingCore

/// Any `Broker` behind the risk rules: every order goes through a `RiskStateMachine` first, and the rules' actions
/// are carried out here — forward to the inner broker, deny (a `.denied` event), cancel open orders, flatten. The
/// rules see every fill and cancellation before the caller does, so a later order is judged on the new position.
public struct RiskManagedBroker<Inner: Broker>: Broker {
    public private(set) var inner: Inner
    private var risk: RiskStateMachine
    private let logger: Logger
    private var flattenCount = 0

    public init(inner: Inner, limits: RiskLimits, startOfDayEquity: Double, logger: Logger) {
        self.inner = inner
        self.risk = RiskStateMachine(limits: limits, startOfDayEquity: startOfDayEquity)
        self.logger = logger
    }

    public var tradingState: TradingState { risk.state }

    public mutating func submit(_ order: Order) -> [BrokerEvent] { submit(order, at: 0) }

    /// Submits with the time the order was made (for the orders-per-minute window).
    public mutating func submit(_ order: Order, at time: Int64) -> [BrokerEvent] {
        perform(risk.submit(order, at: time))
    }

    public mutating func cancel(clientOrderID: String) -> [BrokerEvent] {
        observe(inner.cancel(clientOrderID: clientOrderID))
    }

    public mutating func barOpened(symbol: String, _ bar: Bar) -> [BrokerEvent] {
        observe(inner.barOpened(symbol: symbol, bar))
    }

    /// The bar's close is also a mark for the daily loss rule.
    public mutating func barClosed(symbol: String, _ bar: Bar) -> [BrokerEvent] {
        let events = observe(inner.barClosed(symbol: symbol, bar))
        return events + mark(symbol, price: bar.close)
    }

    public mutating func poll() -> [BrokerEvent] { observe(inner.poll()) }

    public var openOrders: [Order] { inner.openOrders }
    public var positions: [String: Double] { inner.positions }
    public var account: AccountSnapshot { inner.account }

    public mutating func mark(_ symbol: String, price: Double) -> [BrokerEvent] {
        perform(risk.mark(symbol, price: price))
    }

    public mutating func newTradingDay(startOfDayEquity: Double) -> [BrokerEvent] {
        perform(risk.newTradingDay(startOfDayEquity: startOfDayEquity))
    }

    /// The kill switch: open orders are cancelled (and the position flattened when the limits say so); every order
    /// is denied until `resume()`.
    public mutating func kill(reason: String) -> [BrokerEvent] { perform(risk.kill(reason: reason)) }
    public mutating func resume() -> [BrokerEvent] { perform(risk.resume()) }

    /// Feeds the inner broker's fills and closures to the rules, then carries out what they ask in response.
    private mutating func observe(_ events: [BrokerEvent]) -> [BrokerEvent] {
        var out: [BrokerEvent] = []
        for event in events {
            var follow: [RiskAction] = []
            switch event {
            case .filled(let fill): follow = risk.filled(fill)
            case .cancelled(let id), .rejected(let id, _): risk.orderClosed(id)
            case .halt(let reason):
                logger.error("broker asked for a halt", metadata: ["reason": "\(reason)"])
                follow = risk.kill(reason: reason)
            default: break
            }
            out.append(event)
            out += perform(follow)
        }
        return out
    }

    private mutating func perform(_ actions: [RiskAction]) -> [BrokerEvent] {
        var events: [BrokerEvent] = []
        for action in actions {
            switch action {
            case .forward(let order):
                events += observe(inner.submit(order))
            case .deny(let denial):
                logger.warning("order denied", metadata: [
                    "order": "\(denial.order.clientOrderID)", "rule": "\(denial.rule)", "reason": "\(denial.reason)",
                ])
                events.append(.denied(denial))
            case .cancel(let ids):
                for id in ids { events += observe(inner.cancel(clientOrderID: id)) }
            case .flatten(let symbol, let side, let quantity):
                flattenCount += 1
                // The rules' own order: it reduces risk, so it goes straight to the broker.
                events += observe(inner.submit(Order(clientOrderID: "risk-flatten-\(symbol)-\(flattenCount)",
                                                     symbol: symbol, side: side, quantity: quantity, type: .market)))
            case .stateChanged(let state, let reason):
                logger.warning("trading state changed", metadata: ["state": "\(state.rawValue)", "reason": "\(reason)"])
            }
        }
        return events
    }
}

extension RiskManagedBroker where Inner: GlobalCancelBroker {
    /// The kill switch as `kill(reason:)`, then one request to the broker cancelling every open order of the
    /// account, ours or not.
    public mutating func killCancellingEverything(reason: String) -> [BrokerEvent] {
        let events = kill(reason: reason)
        return events + observe(inner.cancelEverything())
    }
}
