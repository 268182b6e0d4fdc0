import Logging
import TradingCore

/// Any `Broker` behind the risk rules: every order goes through a `RiskStateMachine` first; its actions are carried
/// out here (forward, cancel, flatten) and denials appear on `events` as `.denied`.
public actor RiskManagedBroker<Inner: Broker>: Broker {
    public nonisolated let events: AsyncStream<BrokerEvent>
    private let continuation: AsyncStream<BrokerEvent>.Continuation
    private let inner: Inner
    private var risk: RiskStateMachine
    private let logger: Logger
    private var flattenCount = 0

    public init(inner: Inner, limits: RiskLimits, startOfDayEquity: Double, logger: Logger) {
        self.inner = inner
        self.risk = RiskStateMachine(limits: limits, startOfDayEquity: startOfDayEquity)
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: BrokerEvent.self)
    }

    /// Relays the inner broker's events, feeding fills and closures to the risk rules. Run it for the broker's life.
    public func relayInnerEvents() async {
        for await event in inner.events {
            // The rules learn of a fill before anyone else does, so a later order is judged on the new position.
            var follow: [RiskAction] = []
            switch event {
            case .filled(let fill): follow = risk.filled(fill)
            case .cancelled(let id), .rejected(let id, _): risk.orderClosed(id)
            default: break
            }
            continuation.yield(event)
            await perform(follow)
        }
        continuation.finish()
    }

    public var tradingState: TradingState { risk.state }

    public func submit(_ order: Order) async { await submit(order, at: 0) }

    /// Submits with the time the order was made (for the orders-per-minute window).
    public func submit(_ order: Order, at time: Int64) async {
        await perform(risk.submit(order, at: time))
    }

    public func cancel(clientOrderID: String) async { await inner.cancel(clientOrderID: clientOrderID) }
    public func openOrders() async -> [Order] { await inner.openOrders() }
    public func positions() async -> [String: Double] { await inner.positions() }
    public func account() async -> AccountSnapshot { await inner.account() }

    public func mark(_ symbol: String, price: Double) async { await perform(risk.mark(symbol, price: price)) }
    public func newTradingDay(startOfDayEquity: Double) async {
        await perform(risk.newTradingDay(startOfDayEquity: startOfDayEquity))
    }
    public func kill(reason: String) async { await perform(risk.kill(reason: reason)) }
    public func resume() async { await perform(risk.resume()) }

    private func perform(_ actions: [RiskAction]) async {
        for action in actions {
            switch action {
            case .forward(let order):
                await inner.submit(order)
            case .deny(let denial):
                logger.warning("order denied", metadata: [
                    "order": "\(denial.order.clientOrderID)", "rule": "\(denial.rule)", "reason": "\(denial.reason)",
                ])
                continuation.yield(.denied(denial))
            case .cancel(let ids):
                for id in ids { await inner.cancel(clientOrderID: id) }
            case .flatten(let symbol, let side, let quantity):
                flattenCount += 1
                await inner.submit(Order(clientOrderID: "risk-flatten-\(symbol)-\(flattenCount)", symbol: symbol,
                                         side: side, quantity: quantity, type: .market))
            case .stateChanged(let state, let reason):
                logger.warning("trading state changed", metadata: ["state": "\(state.rawValue)", "reason": "\(reason)"])
            }
        }
    }
}
