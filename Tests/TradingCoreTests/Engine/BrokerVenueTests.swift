import Testing
@testable import TradingCore

/// The venue drives a `SimulatedBroker` directly and any other broker through the `Broker` protocol: both give the
/// same orders, fills, acknowledgements and events.
@Suite struct BrokerVenueTests {
    /// A broker that is not a `SimulatedBroker`: it hands every call to one, through the protocol.
    struct ForwardingBroker: Broker {
        var inner: SimulatedBroker

        mutating func submit(_ order: Order) -> [BrokerEvent] { inner.submit(order) }
        mutating func cancel(clientOrderID: String) -> [BrokerEvent] { inner.cancel(clientOrderID: clientOrderID) }
        mutating func barOpened(symbol: String, _ bar: Bar) -> [BrokerEvent] { inner.barOpened(symbol: symbol, bar) }
        mutating func barClosed(symbol: String, _ bar: Bar) -> [BrokerEvent] { inner.barClosed(symbol: symbol, bar) }
        mutating func poll() -> [BrokerEvent] { inner.poll() }
        var openOrders: [Order] { inner.openOrders }
        var positions: [String: Double] { inner.positions }
        var account: AccountSnapshot { inner.account }
    }

    @Test func anyBrokerGivesWhatTheSimulatedBrokerGives() throws {
        let (bars, preds) = EngineInvariantTests.randomInputs(count: 2_000, seed: 7)
        let (settings, costs) = EngineInvariantTests.parameterSets[1]
        let simulated = SimulatedBroker(initialCash: costs.initialCapital, perFillCost: costs.perTradeCost,
                                        slippageBps: costs.slippageBps)
        var direct = ExecutionStream(symbol: bars.symbol, settings: settings, execution: costs)
        var forwarded = ExecutionStream(symbol: bars.symbol, settings: settings, execution: costs,
                                        broker: ForwardingBroker(inner: simulated))
        #expect(direct.venue.broker is SimulatedBroker)
        #expect(forwarded.venue.broker is ForwardingBroker)
        var strategy = try StrategyStream(settings: settings, symbol: bars.symbol)
        var same = true
        var orders = 0
        for t in 0..<bars.count {
            let plan = strategy.append(bars[t], predictedReturn: preds[t].isNaN ? nil : preds[t])
            same = same && direct.execute(bars[t], sequence: UInt64(t + 1))
                == forwarded.execute(bars[t], sequence: UInt64(t + 1))
            same = same && direct.orders == forwarded.orders
                && direct.venue.acknowledged == forwarded.venue.acknowledged
                && direct.venue.unsolicited == forwarded.venue.unsolicited
                && direct.venue.broker.account == forwarded.venue.broker.account
                && direct.venue.broker.positions == forwarded.venue.broker.positions
            orders += direct.orders.count
            direct.apply(plan)
            forwarded.apply(plan)
        }
        let end = (direct.finish(sequence: UInt64(bars.count)), forwarded.finish(sequence: UInt64(bars.count)))
        #expect(same)
        #expect(orders > 20)
        #expect(end.0.result == end.1.result)
        #expect(end.0.fills == end.1.fills)
    }

    @Test(arguments: [false, true])
    func anOrderThatDoesNotFillAtOnceIsCancelled(forwarding: Bool) {
        let simulated = SimulatedBroker(initialCash: 10_000)
        var venue = BrokerVenue(broker: forwarding ? ForwardingBroker(inner: simulated) : simulated,
                                strategy: "threshold", symbol: "X")
        venue.begin(sequence: 3)
        venue.barOpened(Bar(time: 0, open: 100, high: 101, low: 99, close: 100, volume: 1))
        // A buy limit under the bar's low: acknowledged, not filled, cancelled.
        let price = venue.execute(OrderTicket(side: .buy, quantity: 1, type: .limit, price: 90, reason: .signal))
        #expect(price == nil)
        #expect(venue.orders.map(\.clientOrderID) == ["threshold-X-000003-1"])
        #expect(venue.acknowledged == ["threshold-X-000003-1"])
        #expect(venue.unsolicited == [.cancelled(clientOrderID: "threshold-X-000003-1")])
        #expect(venue.broker.openOrders.isEmpty)
        // A market order fills at the open; the next step starts with empty lists.
        #expect(venue.execute(OrderTicket(side: .buy, quantity: 2, type: .market, price: 100, reason: .signal)) == 100)
        #expect(venue.fills.map(\.clientOrderID) == ["threshold-X-000003-2"])
        venue.begin(sequence: 4)
        #expect(venue.orders.isEmpty && venue.fills.isEmpty && venue.acknowledged.isEmpty && venue.unsolicited.isEmpty)
        #expect(venue.broker.positions == ["X": 2])
    }

    @Test func clientOrderIDsPadTheSequenceToSixDigits() {
        #expect(ClientOrderID.make(strategy: "threshold", symbol: "NVDA", barSequence: 42) == "threshold-NVDA-000042-1")
        #expect(ClientOrderID.make(strategy: "s", symbol: "X", barSequence: 123_456, index: 2) == "s-X-123456-2")
        #expect(ClientOrderID.make(strategy: "s", symbol: "X", barSequence: 12_345_678, index: 10) == "s-X-12345678-10")
    }

    @Test func theAccountMarksEverySymbolHeldToItsLastClose() {
        var broker = SimulatedBroker(initialCash: 1_000)
        let bar = { (price: Double) in Bar(time: 0, open: price, high: price, low: price, close: price, volume: 1) }
        _ = broker.barOpened(symbol: "B", bar(10))
        _ = broker.barOpened(symbol: "A", bar(20))
        _ = broker.submit(Order(clientOrderID: "b", symbol: "B", side: .buy, quantity: 3, type: .market))
        _ = broker.submit(Order(clientOrderID: "a", symbol: "A", side: .sell, quantity: 1, type: .market))
        // Held but not yet closed: marked at zero.
        #expect(broker.account == AccountSnapshot(cash: 1_000 - 30 + 20, equity: 1_000 - 30 + 20))
        _ = broker.barClosed(symbol: "B", bar(11))
        _ = broker.barClosed(symbol: "A", bar(19))
        #expect(broker.account == AccountSnapshot(cash: 990, equity: 990 + 33 - 19))
        #expect(broker.positions == ["A": -1, "B": 3])
        // A resting order of one symbol waits for that symbol's next bar.
        _ = broker.submit(Order(clientOrderID: "r", symbol: "A", side: .buy, quantity: 1, type: .limit, price: 15))
        #expect(broker.barOpened(symbol: "B", bar(12)).isEmpty)
        #expect(broker.openOrders.map(\.clientOrderID) == ["r"])
        let filled = broker.barOpened(symbol: "A", bar(14))
        #expect(filled == [.filled(Fill(clientOrderID: "r", symbol: "A", side: .buy, quantity: 1, price: 14, cost: 0,
                                        reason: .signal))])
        #expect(broker.openOrders.isEmpty && broker.positions == ["B": 3])
    }
}
