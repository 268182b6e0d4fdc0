import Brokers
import IBKRConnection
import IBKRProtocol
import Logging
import Synchronization
import TradingCore

/// The Interactive Brokers broker: `IBKRBrokerState` over an `IBKRConnection`. Wrap it in `RiskManagedBroker` like
/// any broker.
///
/// The connection runs on its own I/O thread; what it receives waits in an inbox until `poll()` hands it to the
/// state machine, so every `Broker` call stays synchronous. `submit` and `cancel` send requests at once (a request
/// the connection refuses — not connected — rejects its order); fills, acknowledgements, cancellations and
/// rejections arrive through `poll()`. Bars only mark positions: IB fills orders by itself.
public struct IBKRBroker: GlobalCancelBroker {
    /// Holds the connection's events until `poll()` takes them.
    final class Inbox: Sendable {
        private let events = Mutex<[IBKRConnection.Event]>([])
        private let pumping = Mutex(false)

        /// True the first time only: one task reads the connection's events.
        func startPumping() -> Bool {
            pumping.withLock { started in
                defer { started = true }
                return !started
            }
        }

        func append(_ event: IBKRConnection.Event) { events.withLock { $0.append(event) } }

        func drain() -> [IBKRConnection.Event] {
            events.withLock { events in
                defer { events.removeAll(keepingCapacity: true) }
                return events
            }
        }
    }

    /// The connection (started by `start()`, stopped by `stop()`).
    public let connection: IBKRConnection
    private let inbox = Inbox()
    private var state: IBKRBrokerState
    private let logger: Logger

    /// A broker over `connection`; `recorded` is what the journal holds from earlier in the session.
    public init(connection: IBKRConnection, configuration: IBKRBrokerState.Configuration,
                recorded: IBKRBrokerState.Recorded = IBKRBrokerState.Recorded(), logger: Logger) {
        self.connection = connection
        self.state = IBKRBrokerState(configuration: configuration, recorded: recorded)
        self.logger = logger
    }

    /// Starts the connection and the task that moves its events into the inbox.
    public func start() {
        let inbox = inbox
        guard inbox.startPumping() else { return }
        let events = connection.events
        Task.detached {
            for await event in events { inbox.append(event) }
        }
        connection.start()
    }

    /// Closes the connection.
    public func stop() { connection.stop() }

    /// The state machine (for inspection).
    public var core: IBKRBrokerState { state }

    public mutating func submit(_ order: Order) -> [BrokerEvent] { perform(state.submit(order)) }

    public mutating func cancel(clientOrderID: String) -> [BrokerEvent] {
        perform(state.cancel(clientOrderID: clientOrderID))
    }

    /// The kill switch at the broker: `reqGlobalCancel` (every open order of the login, ours or not).
    public mutating func cancelEverything() -> [BrokerEvent] { perform(state.cancelEverything()) }

    public mutating func barOpened(symbol: String, _ bar: Bar) -> [BrokerEvent] { poll() }

    public mutating func barClosed(symbol: String, _ bar: Bar) -> [BrokerEvent] {
        state.mark(symbol, price: bar.close)
        return poll()
    }

    /// Hands everything the connection received since the last call to the state machine.
    public mutating func poll() -> [BrokerEvent] {
        var events: [BrokerEvent] = []
        for event in inbox.drain() {
            switch event {
            case .ready(let session):
                logger.info("IBKR session ready", metadata: [
                    "accounts": "\(session.accounts.joined(separator: ","))", "nextValidId": "\(session.nextValidId)",
                ])
                events += perform(state.connected(session))
                if let refusal = state.refusal {
                    logger.error("IBKR orders refused", metadata: ["reason": "\(refusal)"])
                }
            case .message(let message):
                events += perform(state.received(message))
            case .disconnected(let reason, _):
                logger.warning("IBKR disconnected", metadata: ["reason": "\(reason)"])
                state.disconnected()
            case .requestsNotSent(let requests):
                for request in requests {
                    events += perform(state.notSent(request, reason: "not sent before TWS disconnected"))
                }
            case .decodeError(let text):
                logger.error("IBKR message dropped", metadata: ["error": "\(text)"])
            }
        }
        return events
    }

    public var openOrders: [Order] { state.openOrders }
    public var positions: [String: Double] { state.positions }
    public var account: AccountSnapshot { state.account }

    private mutating func perform(_ output: IBKRBrokerState.Output) -> [BrokerEvent] {
        var events = output.events
        for request in output.requests {
            do {
                try connection.send(request)
            } catch {
                events += state.notSent(request, reason: "TWS is not connected (\(error))").events
            }
        }
        return events
    }
}
