import Testing
@testable import TradingCore

/// The two daily-loss rules and how they relate (docs/risk.md, "Two daily-loss rules"): `risk.daily_loss_cap` is the
/// strategy's own rule in the execution model, `max_daily_loss` the risk layer's in front of the broker. They watch
/// the same day's loss independently; the tighter one acts first, and the position is closed once.
@Suite struct DailyLossRulesTests {
    static func bar(_ hour: Int, _ price: Double) -> Bar {
        Bar(time: Int64(hour) * 3_600_000_000_000, open: price, high: price + 0.5, low: price - 0.5, close: price,
            volume: 1)
    }

    static let long = SignalPlan(whenFlat: Signal(direction: .long, size: .units(50)),
                                 whenLong: Signal(direction: .long, size: .units(50)),
                                 whenShort: Signal(direction: .long, size: .units(50)), predictedReturn: 0.01)

    /// Long 50 at 100 on bar 1, a close of 97 on bar 2 (a loss of 150 on 10,000: 1.5 %), then bars 3 and 4 at 97
    /// with the strategy still wanting to be long. Returns the fills of bars 3 and 4 and the stream.
    static func run(cap: Double?, maxDailyLoss: Double?) -> (bar3: [Fill], bar4: [Fill], stream: ExecutionStream) {
        var s = ExecutionStream(symbol: "X", settings: StrategySettings(),
                                execution: ExecutionSettings(initialCapital: 10_000, dailyLossCap: cap),
                                riskLimits: maxDailyLoss.map { RiskLimits(maxDailyLoss: $0) })
        s.execute(bar(0, 100), sequence: 1)
        s.apply(long)
        s.execute(bar(1, 100), sequence: 2)
        s.apply(long)
        s.execute(bar(2, 97), sequence: 3)
        s.apply(long)
        let third = s.execute(bar(3, 97), sequence: 4)
        s.apply(long)
        let fourth = s.execute(bar(4, 97), sequence: 5)
        return (third, fourth, s)
    }

    @Test func theCapAloneClosesAtTheNextOpenAndBlocksEntriesForTheDay() {
        let r = Self.run(cap: 0.01, maxDailyLoss: nil)
        #expect(r.bar3.map(\.side) == [.sell])
        #expect(r.bar3.first?.reason == .dailyCap)
        #expect(r.bar4.isEmpty, "no new entry the same day")
        #expect(r.stream.machine.dailyCapHits == 1)
    }

    @Test func theRiskLimitAloneHaltsAndFlattens() {
        let r = Self.run(cap: nil, maxDailyLoss: 100)
        #expect(r.stream.risk?.state == .halted)
        #expect(r.bar3.map(\.side) == [.sell])
        #expect(r.bar4.isEmpty, "halted until the next day")
        #expect(r.stream.machine.dailyCapHits == 0)
    }

    @Test func bothTightTheyActOnTheSameBarAndThePositionIsClosedOnce() {
        let r = Self.run(cap: 0.01, maxDailyLoss: 100)
        #expect(r.bar3.count == 1 && r.bar3.first?.side == .sell && r.bar3.first?.quantity == 50)
        #expect(r.bar4.isEmpty)
        #expect(r.stream.machine.dailyCapHits == 1)
        #expect(r.stream.risk?.state == .halted)
        #expect(r.stream.machine.units == 0)
    }

    @Test func onlyTheTighterRuleActs() {
        // The cap at 1 % (100) is tighter than the risk limit of 1,000: the cap closes, the risk layer stays active.
        let capFirst = Self.run(cap: 0.01, maxDailyLoss: 1_000)
        #expect(capFirst.bar3.first?.reason == .dailyCap)
        #expect(capFirst.stream.risk?.state == .active)
        // The risk limit of 100 is tighter than a 50 % cap: the risk layer halts, the cap never fires.
        let riskFirst = Self.run(cap: 0.5, maxDailyLoss: 100)
        #expect(riskFirst.stream.risk?.state == .halted)
        #expect(riskFirst.stream.machine.dailyCapHits == 0)
        #expect(riskFirst.bar3.map(\.side) == [.sell])
    }
}
