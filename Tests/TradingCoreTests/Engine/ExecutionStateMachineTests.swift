import Testing
@testable import TradingCore

/// Driving the strategy and the execution model one bar at a time — as the strategy and execution services do
/// from the bus — gives exactly what the in-process engine gives.
@Suite struct ExecutionStateMachineTests {
    @Test(arguments: 0..<3)
    func streamsEqualTheEngine(set: Int) throws {
        let (bars, preds) = EngineInvariantTests.randomInputs(count: 2_500, seed: 101 + UInt64(set))
        let (settings, costs) = EngineInvariantTests.parameterSets[set]
        let engine = try Backtest.run(bars: bars, predictedReturns: preds, strategy: settings, execution: costs)

        var strategy = try StrategyStream(settings: settings, symbol: bars.symbol)
        var execution = ExecutionStream(symbol: bars.symbol, settings: settings, execution: costs)
        var plans: [SignalPlan] = []
        for t in 0..<bars.count {
            // The strategy runs ahead of execution: its decision does not wait for the account.
            plans.append(strategy.append(bars[t], predictedReturn: preds[t].isNaN ? nil : preds[t]))
        }
        var fills: [Fill] = []
        var orders: [Order] = []
        var brokerAgrees = true
        for t in 0..<bars.count {
            fills += execution.execute(bars[t], sequence: UInt64(t + 1))
            orders += execution.orders
            // The stream's account is the broker's: the same cash and position after every bar.
            brokerAgrees = brokerAgrees && execution.venue.broker.account.cash == execution.machine.cash
                && (execution.venue.broker.positions[bars.symbol] ?? 0) == execution.machine.units
            execution.apply(plans[t])
        }
        let (streamed, lastFills) = execution.finish(sequence: UInt64(bars.count))
        fills += lastFills
        orders += execution.orders
        #expect(brokerAgrees)
        #expect(execution.venue.broker.account.cash == execution.machine.cash)
        #expect(execution.venue.broker.openOrders.isEmpty, "the model's orders are immediate-or-cancel")
        // Every order sent filled; ids are strategy, symbol, bar sequence and place within the bar.
        #expect(orders.map(\.clientOrderID) == fills.map(\.clientOrderID))
        #expect(fills.allSatisfy { $0.clientOrderID.hasPrefix("\(settings.name)-\(bars.symbol)-") })
        if set == 1 {
            #expect(Set(orders.map(\.type)) == [.market, .stop, .limit], "entries, stop-losses and take-profits")
        }
        #expect(streamed.trades.count > 10)
        #expect(streamed == engine)
        // Every trade is one opening and one closing fill; their cash flows add up to the trades' PnL.
        let open = engine.openPosition == nil ? 0 : 1
        #expect(fills.count == 2 * engine.trades.count + open)
        #expect(Set(fills.map(\.clientOrderID)).count == fills.count)
        var flows = 0.0
        for f in fills { flows += (f.side == .sell ? 1 : -1) * f.quantity * f.price - f.cost }
        if let p = engine.openPosition {
            flows += (p.side == .long ? 1 : -1) * p.size * p.entryPrice + costs.perTradeCost
        }
        let pnl = engine.trades.reduce(0) { $0 + $1.pnl }
        #expect(abs(flows - pnl) < 1e-6 * max(1, abs(pnl)))
    }

    @Test func aPlanHoldsOneDecisionPerPosition() throws {
        let settings = StrategySettings(entryThreshold: 0.002, exitThreshold: -0.001, allowShort: true,
                                        shortEntryThreshold: -0.002, shortExitThreshold: 0.001)
        var strategy = try StrategyStream(settings: settings, symbol: "X")
        let bar = Bar(time: 0, open: 10, high: 11, low: 9, close: 10, volume: 1)
        // Between the thresholds: hold whatever is held.
        let hold = strategy.append(bar, predictedReturn: 0.0)
        #expect(hold.whenFlat.direction == .flat)
        #expect(hold.whenLong.direction == .long)
        #expect(hold.whenShort.direction == .short)
        // Below the long exit but above the short entry: longs exit, shorts hold.
        let exitLong = strategy.append(bar, predictedReturn: -0.0015)
        #expect(exitLong.signal(for: .long).direction == .flat)
        #expect(exitLong.signal(for: .short).direction == .short)
        #expect(exitLong.predictedReturn == -0.0015)
        // No prediction: hold, and the plan says there was none.
        let none = strategy.append(bar, predictedReturn: nil)
        #expect(none.predictedReturn == nil)
        #expect(none.whenLong.direction == .long)
        #expect(throws: StrategyError.self) { try StrategyStream(settings: StrategySettings(name: "nope"), symbol: "X") }
    }
}

/// The kill switch on the execution stream: no decision is carried out while it holds.
@Suite struct KillSwitchTests {
    static let bars: [Bar] = (0..<6).map { (i: Int) -> Bar in
        let base = 100.0 + Double(i)
        return Bar(time: Int64(i) * 3_600 * Timestamps.nanosPerSecond, open: base, high: base + 2, low: base - 1,
                   close: base + 1, volume: 1)
    }
    static let goLong = SignalPlan(whenFlat: Signal(direction: .long, size: .units(10)),
                                   whenLong: Signal(direction: .long, size: .units(10)),
                                   whenShort: Signal(direction: .long, size: .units(10)), predictedReturn: 0.01)

    @Test func aKillCancelsTheWaitingOrderAndRefusesDecisionsUntilResume() {
        var s = ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings())
        s.execute(Self.bars[0], sequence: 1)
        s.apply(Self.goLong)                       // an entry waits for bar 2's open
        s.kill(flatten: false)
        #expect(s.execute(Self.bars[1], sequence: 2).isEmpty, "the waiting order was cancelled")
        #expect(s.apply(Self.goLong)?.direction == .long, "refused while halted")
        #expect(s.execute(Self.bars[2], sequence: 3).isEmpty)
        #expect(s.machine.units == 0)
        s.resume()
        #expect(s.apply(Self.goLong) == nil)
        let fills = s.execute(Self.bars[3], sequence: 4)
        #expect(fills.count == 1)
        #expect(fills.first?.side == OrderSide.buy)
        #expect(fills.first?.price == Self.bars[3].open)
    }

    @Test func aKillWithFlattenClosesThePositionAtTheNextOpen() {
        var s = ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings())
        s.execute(Self.bars[0], sequence: 1)
        s.apply(Self.goLong)
        s.execute(Self.bars[1], sequence: 2)
        #expect(s.machine.units == 10)
        s.apply(Self.goLong)
        s.kill(flatten: true)
        let fills = s.execute(Self.bars[2], sequence: 3)
        #expect(fills.count == 1)
        #expect(fills.first?.side == OrderSide.sell)
        #expect(fills.first?.price == Self.bars[2].open)
        #expect(s.machine.units == 0)
        // Still halted: a long decision is refused, the account stays flat.
        #expect(s.apply(Self.goLong) != nil)
        #expect(s.execute(Self.bars[3], sequence: 4).isEmpty)
    }
}
