import Logging
import Testing
import TradingCore
@testable import Brokers

/// The adapter matrix: expected event sequences every broker must produce. The simulated broker passes it
/// directly and behind the risk layer; the IBKR adapter will run the same scenarios.
@Suite(.timeLimit(.minutes(1))) struct BrokerAdapterMatrix {
    /// A broker under test plus the way to make market time pass for it.
    struct Subject: Sendable {
        var name: String
        var make: @Sendable () async -> (any Broker, @Sendable (Bar) async -> Void)
    }

    static let subjects: [Subject] = [
        Subject(name: "simulated") {
            let b = SimulatedBroker(initialCash: 100_000, perFillCost: 1)
            return (b, { await b.bar(symbol: "NVDA", $0) })
        },
        Subject(name: "simulated behind risk") {
            let inner = SimulatedBroker(initialCash: 100_000, perFillCost: 1)
            let risky = RiskManagedBroker(inner: inner, limits: RiskLimits(), startOfDayEquity: 100_000,
                                          logger: Logger(label: "test"))
            Task { await risky.relayInnerEvents() }
            return (risky, { await inner.bar(symbol: "NVDA", $0) })
        },
    ]

    static func bar(_ open: Double, _ high: Double, _ low: Double, _ close: Double) -> Bar {
        Bar(time: 0, open: open, high: high, low: low, close: close, volume: 1)
    }

    static func take(_ n: Int, from events: AsyncStream<BrokerEvent>) async -> [BrokerEvent] {
        var out: [BrokerEvent] = []
        for await e in events {
            out.append(e)
            if out.count == n { break }
        }
        return out
    }

    @Test(arguments: subjects.indices)
    func submitAckFill(subject: Int) async {
        let (broker, feed) = await Self.subjects[subject].make()
        let order = Order(clientOrderID: ClientOrderID.make(strategy: "threshold", symbol: "NVDA", barSequence: 42),
                          symbol: "NVDA", side: .buy, quantity: 10, type: .market)
        #expect(order.clientOrderID == "threshold-NVDA-000042-1")
        await broker.submit(order)
        await feed(Self.bar(100, 101, 99, 100.5))
        let events = await Self.take(2, from: broker.events)
        #expect(events == [
            .acknowledged(clientOrderID: order.clientOrderID),
            .filled(Fill(clientOrderID: order.clientOrderID, symbol: "NVDA", side: .buy, quantity: 10, price: 100,
                         cost: 1, reason: .signal)),
        ])
        #expect(await broker.positions() == ["NVDA": 10])
        #expect(await broker.account() == AccountSnapshot(cash: 100_000 - 1_000 - 1, equity: 100_000 - 1_000 - 1 + 1_005))
    }

    @Test(arguments: subjects.indices)
    func invalidOrderIsRejected(subject: Int) async {
        let (broker, _) = await Self.subjects[subject].make()
        await broker.submit(Order(clientOrderID: "x", symbol: "NVDA", side: .buy, quantity: 5, type: .limit))
        #expect(await Self.take(1, from: broker.events) == [.rejected(clientOrderID: "x", reason: "LIMIT order needs a price")])
    }

    @Test func limitAndStopOrdersFillAtTheirLevelOrABetterGap() async {
        let broker = SimulatedBroker(initialCash: 10_000)
        await broker.submit(Order(clientOrderID: "l", symbol: "NVDA", side: .buy, quantity: 1, type: .limit, price: 98))
        await broker.submit(Order(clientOrderID: "s", symbol: "NVDA", side: .sell, quantity: 1, type: .stop, price: 97))
        await broker.bar(symbol: "NVDA", Self.bar(100, 101, 97.5, 99))    // limit reached inside the bar, stop not
        await broker.bar(symbol: "NVDA", Self.bar(95, 96, 94, 95))         // gap through the stop: fills at the open
        let events = await Self.take(4, from: broker.events)
        #expect(events.contains(.filled(Fill(clientOrderID: "l", symbol: "NVDA", side: .buy, quantity: 1, price: 98,
                                              cost: 0, reason: .signal))))
        #expect(events.last == .filled(Fill(clientOrderID: "s", symbol: "NVDA", side: .sell, quantity: 1, price: 95,
                                             cost: 0, reason: .signal)))
    }

    @Test func killSwitchCancelsOpenOrdersAndDeniesUntilResume() async {
        let inner = SimulatedBroker(initialCash: 100_000)
        let broker = RiskManagedBroker(inner: inner, limits: RiskLimits(flattenOnKill: false),
                                       startOfDayEquity: 100_000, logger: Logger(label: "test"))
        Task { await broker.relayInnerEvents() }
        await broker.submit(Order(clientOrderID: "far", symbol: "NVDA", side: .buy, quantity: 1, type: .limit, price: 50))
        await broker.kill(reason: "manual")
        await broker.submit(Order(clientOrderID: "after", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
        // The broker's cancellation and the risk layer's denial come from two sources: their relative order is free.
        let events = await Self.take(3, from: broker.events)
        let ack = events.firstIndex(of: .acknowledged(clientOrderID: "far"))
        let cancelled = events.firstIndex(of: .cancelled(clientOrderID: "far"))
        #expect(ack != nil && cancelled != nil && ack! < cancelled!)
        let denials = events.compactMap { e -> OrderDenied? in if case .denied(let d) = e { d } else { nil } }
        #expect(denials.map(\.rule) == ["halted"])
        #expect(denials.first?.order.clientOrderID == "after")
        #expect(await inner.openOrders().isEmpty)
        await broker.resume()
        await broker.submit(Order(clientOrderID: "again", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
        #expect(await Self.take(1, from: broker.events) == [.acknowledged(clientOrderID: "again")])
    }

    @Test func dailyLossHaltsFlattensAndResetsNextDay() async {
        let inner = SimulatedBroker(initialCash: 100_000)
        let broker = RiskManagedBroker(inner: inner, limits: RiskLimits(maxDailyLoss: 500),
                                       startOfDayEquity: 100_000, logger: Logger(label: "test"))
        Task { await broker.relayInnerEvents() }
        await broker.submit(Order(clientOrderID: "buy", symbol: "NVDA", side: .buy, quantity: 100, type: .market))
        await inner.bar(symbol: "NVDA", Self.bar(100, 100, 100, 100))
        _ = await Self.take(2, from: broker.events)                       // ack, fill at 100
        await broker.mark("NVDA", price: 94)                               // −600 ≥ 500: halt and flatten
        #expect(await broker.tradingState == .halted)
        await inner.bar(symbol: "NVDA", Self.bar(94, 94, 94, 94))
        let flatten = await Self.take(2, from: broker.events)
        #expect(flatten == [
            .acknowledged(clientOrderID: "risk-flatten-NVDA-1"),
            .filled(Fill(clientOrderID: "risk-flatten-NVDA-1", symbol: "NVDA", side: .sell, quantity: 100, price: 94,
                         cost: 0, reason: .signal)),
        ])
        #expect(await broker.positions().isEmpty)
        await broker.submit(Order(clientOrderID: "blocked", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
        guard case .denied(let d) = await Self.take(1, from: broker.events).first else {
            Issue.record("expected a denial")
            return
        }
        #expect(d.rule == "halted")
        await broker.newTradingDay(startOfDayEquity: 99_400)
        #expect(await broker.tradingState == .active)
        await broker.submit(Order(clientOrderID: "next-day", symbol: "NVDA", side: .buy, quantity: 1, type: .market))
        #expect(await Self.take(1, from: broker.events) == [.acknowledged(clientOrderID: "next-day")])
    }
}
