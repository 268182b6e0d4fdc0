import Logging
import Testing
import TradingCore
@testable import Brokers

/// A broker that finds its records and the venue's disagreeing asks for a halt; the risk layer carries it out.
struct BrokerHaltTests {
    /// The simulated broker, plus a halt request on the first poll.
    struct HaltingBroker: Broker {
        var inner = SimulatedBroker(initialCash: 100_000)
        var haltReason: String?

        mutating func submit(_ order: Order) -> [BrokerEvent] { inner.submit(order) }
        mutating func cancel(clientOrderID: String) -> [BrokerEvent] { inner.cancel(clientOrderID: clientOrderID) }
        mutating func barOpened(symbol: String, _ bar: Bar) -> [BrokerEvent] { inner.barOpened(symbol: symbol, bar) }
        mutating func barClosed(symbol: String, _ bar: Bar) -> [BrokerEvent] { inner.barClosed(symbol: symbol, bar) }
        mutating func poll() -> [BrokerEvent] {
            defer { haltReason = nil }
            return haltReason.map { [.halt(reason: $0)] } ?? []
        }
        var openOrders: [Order] { inner.openOrders }
        var positions: [String: Double] { inner.positions }
        var account: AccountSnapshot { inner.account }
    }

    @Test func aHaltFromTheBrokerCancelsOpenOrdersAndDeniesEveryOrderUntilResume() {
        let reason = "positions differ from IB's after reconnect (NVDA ours 0 vs IB's 10)"
        var broker = RiskManagedBroker(inner: HaltingBroker(haltReason: reason), limits: RiskLimits(flattenOnKill: false),
                                       startOfDayEquity: 100_000, logger: Logger(label: "test"))
        let resting = Order(clientOrderID: "r", symbol: "NVDA", side: .buy, quantity: 1, type: .limit, price: 90)
        #expect(broker.submit(resting) == [.acknowledged(clientOrderID: "r")])
        #expect(broker.poll() == [.halt(reason: reason), .cancelled(clientOrderID: "r")])
        #expect(broker.tradingState == .halted)
        let next = Order(clientOrderID: "n", symbol: "NVDA", side: .buy, quantity: 1, type: .market)
        guard case .denied(let denial)? = broker.submit(next).first else {
            Issue.record("not denied")
            return
        }
        #expect(denial.reason == "kill switch is on; resume explicitly")
        _ = broker.resume()
        #expect(broker.tradingState == .active)
    }
}
