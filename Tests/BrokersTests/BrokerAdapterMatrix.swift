import Logging
import Testing
import TradingCore
@testable import Brokers

/// The adapter matrix: expected event sequences every broker must produce. The simulated broker passes it
/// directly and behind the risk layer; the IBKR adapter will run the same scenarios.
@Suite struct BrokerAdapterMatrix {
    /// A broker under test, by name.
    struct Subject: Sendable, CustomTestStringConvertible {
        var name: String
        var make: @Sendable () -> any Broker
        var testDescription: String { name }
    }

    static let subjects: [Subject] = [
        Subject(name: "simulated") { SimulatedBroker(initialCash: 100_000, perFillCost: 1) },
        Subject(name: "simulated behind risk") {
            RiskManagedBroker(inner: SimulatedBroker(initialCash: 100_000, perFillCost: 1), limits: RiskLimits(),
                              startOfDayEquity: 100_000, logger: Logger(label: "test"))
        },
    ]

    static func bar(_ open: Double, _ high: Double, _ low: Double, _ close: Double) -> Bar {
        Bar(time: 0, open: open, high: high, low: low, close: close, volume: 1)
    }

    static func fill(_ id: String, _ side: OrderSide, _ quantity: Double, at price: Double, cost: Double = 1) -> BrokerEvent {
        .filled(Fill(clientOrderID: id, symbol: "NVDA", side: side, quantity: quantity, price: price, cost: cost,
                     reason: .signal))
    }

    @Test(arguments: subjects)
    func submitAckFillAtTheNextOpen(subject: Subject) {
        var broker = subject.make()
        let order = Order(clientOrderID: ClientOrderID.make(strategy: "threshold", symbol: "NVDA", barSequence: 42),
                          symbol: "NVDA", side: .buy, quantity: 10, type: .market)
        #expect(order.clientOrderID == "threshold-NVDA-000042-1")
        #expect(broker.submit(order) == [.acknowledged(clientOrderID: order.clientOrderID)])
        #expect(broker.openOrders == [order])
        #expect(broker.barOpened(symbol: "NVDA", Self.bar(100, 101, 99, 100.5)) == [Self.fill(order.clientOrderID, .buy, 10, at: 100)])
        _ = broker.barClosed(symbol: "NVDA", Self.bar(100, 101, 99, 100.5))
        #expect(broker.openOrders.isEmpty)
        #expect(broker.positions == ["NVDA": 10])
        #expect(broker.account == AccountSnapshot(cash: 100_000 - 1_000 - 1, equity: 100_000 - 1_000 - 1 + 1_005))
    }

    @Test(arguments: subjects)
    func aMarketOrderDuringABarFillsAtOnceAtItsOpenAndAfterTheCloseAtTheClose(subject: Subject) {
        var broker = subject.make()
        _ = broker.barOpened(symbol: "NVDA", Self.bar(100, 102, 99, 101))
        let buy = Order(clientOrderID: "a", symbol: "NVDA", side: .buy, quantity: 2, type: .market)
        #expect(broker.submit(buy) == [.acknowledged(clientOrderID: "a"), Self.fill("a", .buy, 2, at: 100)])
        _ = broker.barClosed(symbol: "NVDA", Self.bar(100, 102, 99, 101))
        let sell = Order(clientOrderID: "b", symbol: "NVDA", side: .sell, quantity: 2, type: .market)
        #expect(broker.submit(sell) == [.acknowledged(clientOrderID: "b"), Self.fill("b", .sell, 2, at: 101)])
        #expect(broker.positions.isEmpty)
        #expect(broker.account.cash == 100_000 - 200 - 1 + 202 - 1)
    }

    @Test(arguments: subjects)
    func invalidAndDuplicateOrdersAreRejected(subject: Subject) {
        var broker = subject.make()
        #expect(broker.submit(Order(clientOrderID: "x", symbol: "NVDA", side: .buy, quantity: 5, type: .limit))
                == [.rejected(clientOrderID: "x", reason: "LIMIT order needs a price")])
        // Refused by the broker, or before it by the risk layer: either way one event saying why.
        let zero = broker.submit(Order(clientOrderID: "z", symbol: "NVDA", side: .buy, quantity: 0, type: .market))
        switch zero.first {
        case .rejected(let id, let reason)?: #expect(id == "z" && reason == "quantity must be positive")
        case .denied(let d)?: #expect(d.order.clientOrderID == "z" && d.reason == "quantity must be positive")
        default: Issue.record("expected a refusal, got \(zero)")
        }
        #expect(zero.count == 1)
        let resting = Order(clientOrderID: "y", symbol: "NVDA", side: .buy, quantity: 1, type: .limit, price: 50)
        #expect(broker.submit(resting) == [.acknowledged(clientOrderID: "y")])
        #expect(broker.submit(resting) == [.rejected(clientOrderID: "y", reason: "duplicate client order id")])
        #expect(broker.cancel(clientOrderID: "y") == [.cancelled(clientOrderID: "y")])
        #expect(broker.cancel(clientOrderID: "y").isEmpty, "no longer open")
        #expect(broker.openOrders.isEmpty)
    }

    @Test(arguments: subjects)
    func limitAndStopOrdersFillAtTheirLevelOrABetterGap(subject: Subject) {
        var broker = subject.make()
        _ = broker.submit(Order(clientOrderID: "l", symbol: "NVDA", side: .buy, quantity: 1, type: .limit, price: 98))
        _ = broker.submit(Order(clientOrderID: "s", symbol: "NVDA", side: .sell, quantity: 1, type: .stop, price: 97))
        // The limit is reached inside the bar, the stop is not; then a gap through the stop fills at the open.
        #expect(broker.barOpened(symbol: "NVDA", Self.bar(100, 101, 97.5, 99)) == [Self.fill("l", .buy, 1, at: 98)])
        _ = broker.barClosed(symbol: "NVDA", Self.bar(100, 101, 97.5, 99))
        #expect(broker.barOpened(symbol: "NVDA", Self.bar(95, 96, 94, 95)) == [Self.fill("s", .sell, 1, at: 95)])
    }

    @Test func slippageAppliesToEveryFillAgainstTheTrader() {
        var broker = SimulatedBroker(initialCash: 10_000, slippageBps: 10)
        _ = broker.barOpened(symbol: "NVDA", Self.bar(100, 101, 97, 99))
        let buy = broker.submit(Order(clientOrderID: "b", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
        let stop = broker.submit(Order(clientOrderID: "s", symbol: "NVDA", side: .sell, quantity: 1, type: .stop, price: 98))
        #expect(buy.last == Self.fill("b", .buy, 1, at: 100 * (1 + 0.001), cost: 0))
        #expect(stop.last == Self.fill("s", .sell, 1, at: 98 * (1 - 0.001), cost: 0), "reached inside the bar: at its level")
    }

    @Test func killSwitchCancelsOpenOrdersAndDeniesUntilResume() {
        var broker = RiskManagedBroker(inner: SimulatedBroker(initialCash: 100_000), limits: RiskLimits(flattenOnKill: false),
                                       startOfDayEquity: 100_000, logger: Logger(label: "test"))
        #expect(broker.submit(Order(clientOrderID: "far", symbol: "NVDA", side: .buy, quantity: 1, type: .limit, price: 50))
                == [.acknowledged(clientOrderID: "far")])
        #expect(broker.kill(reason: "manual") == [.cancelled(clientOrderID: "far")])
        let denied = broker.submit(Order(clientOrderID: "after", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
        guard case .denied(let d) = denied.first, denied.count == 1 else {
            Issue.record("expected one denial, got \(denied)")
            return
        }
        #expect(d.rule == "halted" && d.order.clientOrderID == "after")
        #expect(broker.openOrders.isEmpty)
        _ = broker.resume()
        #expect(broker.submit(Order(clientOrderID: "again", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
                == [.acknowledged(clientOrderID: "again")])
    }

    @Test func dailyLossHaltsFlattensAndResetsNextDay() {
        var broker = RiskManagedBroker(inner: SimulatedBroker(initialCash: 100_000), limits: RiskLimits(maxDailyLoss: 500),
                                       startOfDayEquity: 100_000, logger: Logger(label: "test"))
        _ = broker.submit(Order(clientOrderID: "buy", symbol: "NVDA", side: .buy, quantity: 100, type: .market))
        #expect(broker.barOpened(symbol: "NVDA", Self.bar(100, 100, 100, 100)) == [Self.fill("buy", .buy, 100, at: 100, cost: 0)])
        // The close marks −600 against a 500 limit: halt, and the flattening order waits for the next open.
        #expect(broker.barClosed(symbol: "NVDA", Self.bar(100, 100, 94, 94)) == [
            .acknowledged(clientOrderID: "risk-flatten-NVDA-1"),
            Self.fill("risk-flatten-NVDA-1", .sell, 100, at: 94, cost: 0),
        ])
        #expect(broker.tradingState == .halted)
        #expect(broker.positions.isEmpty)
        let blocked = broker.submit(Order(clientOrderID: "blocked", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
        guard case .denied(let d) = blocked.first else {
            Issue.record("expected a denial, got \(blocked)")
            return
        }
        #expect(d.rule == "halted")
        _ = broker.newTradingDay(startOfDayEquity: 99_400)
        #expect(broker.tradingState == .active)
        #expect(broker.submit(Order(clientOrderID: "next-day", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
                == [.acknowledged(clientOrderID: "next-day"), Self.fill("next-day", .buy, 1, at: 94, cost: 0)])
    }
}
