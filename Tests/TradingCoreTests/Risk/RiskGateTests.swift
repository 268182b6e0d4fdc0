import Testing
@testable import TradingCore

/// The live risk rules around the bar-by-bar execution model.
@Suite struct RiskGateTests {
    static func bar(_ hour: Int, _ price: Double) -> Bar {
        Bar(time: Int64(hour) * 3_600_000_000_000, open: price, high: price + 0.5, low: price - 0.5, close: price,
            volume: 1)
    }

    static func plan(_ d: Direction, units: Double) -> SignalPlan {
        let s = Signal(direction: d, size: .units(units))
        return SignalPlan(whenFlat: s, whenLong: s, whenShort: s, predictedReturn: 0.01)
    }

    @Test func anOrderAboveTheLimitIsDeniedAndTheAccountStaysFlat() {
        var s = ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings(),
                                riskLimits: RiskLimits(maxOrderUnits: 100))
        s.execute(Self.bar(0, 10), sequence: 1)
        s.apply(Self.plan(.long, units: 500))
        #expect(s.execute(Self.bar(1, 10), sequence: 2).isEmpty)
        #expect(s.risk?.events.first?.rule == "max_order_units")
        s.apply(Self.plan(.long, units: 50))
        #expect(s.execute(Self.bar(2, 10), sequence: 3).count == 1, "a smaller order passes")
    }

    @Test func theDailyLossLimitHaltsFlattensAndTheNextDayResets() {
        var s = ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings(),
                                riskLimits: RiskLimits(maxDailyLoss: 100))
        s.execute(Self.bar(0, 100), sequence: 1)
        s.apply(Self.plan(.long, units: 50))
        s.execute(Self.bar(1, 100), sequence: 2)          // long 50 at 100
        s.apply(Self.plan(.long, units: 50))
        s.execute(Self.bar(2, 97), sequence: 3)           // −150: past the limit, halted
        #expect(s.risk?.state == .halted)
        s.apply(Self.plan(.long, units: 50))              // the rules flatten at the next open
        let fills = s.execute(Self.bar(3, 97), sequence: 4)
        #expect(fills.count == 1 && fills.first?.side == .sell)
        s.apply(Self.plan(.long, units: 50))              // halted: no new entry today
        #expect(s.execute(Self.bar(4, 97), sequence: 5).isEmpty)
        #expect(s.risk?.events.contains { $0.kind == "denied" && $0.rule == "halted" } == true)
        s.apply(Self.plan(.long, units: 50))
        _ = s.execute(Self.bar(25, 97), sequence: 6)      // next UTC day: active again
        #expect(s.risk?.state == .active)
        s.apply(Self.plan(.long, units: 50))
        #expect(s.execute(Self.bar(26, 97), sequence: 7).count == 1)
    }

    @Test func withoutRulesTheStreamingRunIsTheEngine() throws {
        let (bars, preds) = EngineInvariantTests.randomInputs(count: 1_500, seed: 77)
        let (settings, costs) = EngineInvariantTests.parameterSets[1]
        #expect(try Backtest.runStreaming(bars: bars, predictedReturns: preds, strategy: settings, execution: costs,
                                          riskLimits: nil)
                == Backtest.run(bars: bars, predictedReturns: preds, strategy: settings, execution: costs))
    }
}
