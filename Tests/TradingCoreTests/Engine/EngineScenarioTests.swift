import Testing
@testable import TradingCore

/// Hand-worked scenarios. Bars are one hour apart starting at 2024-01-02T00:00; each helper builds
/// `(open, high, low, close)` rows, and predictions are given per bar (nil = no prediction).
@Suite struct EngineScenarioTests {
    static let hour: Int64 = 3_600 * Timestamps.nanosPerSecond
    static let start: Int64 = Int64(Timestamps.daysFromCivil(year: 2024, month: 1, day: 2)) * Timestamps.nanosPerDay

    static func series(_ rows: [(Double, Double, Double, Double)], spacing: Int64 = hour) -> BarSeries {
        BarSeries(symbol: "T", bars: rows.enumerated().map { i, r in
            Bar(time: start + Int64(i) * spacing, open: r.0, high: r.1, low: r.2, close: r.3, volume: 100)
        })
    }

    static func preds(_ values: [Double?]) -> [Double] { values.map { $0 ?? .nan } }

    static func run(_ rows: [(Double, Double, Double, Double)], _ p: [Double?],
                    strategy: StrategySettings = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5,
                                                                  size: .units(10)),
                    execution: ExecutionSettings = ExecutionSettings(initialCapital: 10_000),
                    spacing: Int64 = hour) throws -> BacktestResult {
        try Backtest.run(bars: series(rows, spacing: spacing), predictedReturns: preds(p), strategy: strategy,
                         execution: execution)
    }

    @Test func signalOnCloseFillsAtNextOpen() throws {
        // Signal LONG on bar 0's close → buy 10 at bar 1's open (101). Exit signal on bar 2 → sell at bar 3's open (104).
        let r = try Self.run([(100, 101, 99, 100), (101, 103, 100, 102), (102, 104, 101, 103), (104, 105, 103, 104)],
                             [1, 0, -1, 0])
        #expect(r.trades.count == 1)
        let t = try #require(r.trades.first)
        #expect(t.entryTime == Self.start + Self.hour)
        #expect(t.entryPrice == 101)
        #expect(t.exitTime == Self.start + 3 * Self.hour)
        #expect(t.exitPrice == 104)
        #expect(t.pnl == 30)                       // (104 − 101) × 10
        #expect(t.exitReason == .signal)
        #expect(r.equity.position == [0, 10, 10, 0])
        #expect(r.equity.equity == [10_000, 10_010, 10_020, 10_030])  // 10000 − 1010 + 10×102 = 10010, …
        #expect(r.openPosition == nil)
    }

    @Test func costsAndSlippage() throws {
        // 2 per fill, 100 bps: buy at 101 × 1.01 = 102.01, sell at 104 × 0.99 = 102.96.
        let exec = ExecutionSettings(initialCapital: 10_000, perTradeCost: 2, slippageBps: 100)
        let r = try Self.run([(100, 101, 99, 100), (101, 103, 100, 102), (102, 104, 101, 103), (104, 105, 103, 104)],
                             [1, 0, -1, 0], execution: exec)
        let t = try #require(r.trades.first)
        #expect(abs(t.entryPrice - 102.01) < 1e-9)
        #expect(abs(t.exitPrice - 102.96) < 1e-9)
        #expect(t.costs == 4)
        #expect(abs(t.pnl - ((102.96 - 102.01) * 10 - 4)) < 1e-9)   // 9.5 − 4 = 5.5
        #expect(abs(r.equity.equity.last! - (10_000 + t.pnl)) < 1e-9)
    }

    @Test func stopLossInsideBar() throws {
        // Long at 100 (bar 1 open), stop 5 % → 95. Bar 2 trades down to 94 without gapping: stop fills at 95.
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, stopLoss: 0.05, size: .units(10))
        let r = try Self.run([(100, 100, 100, 100), (100, 101, 99, 100), (99, 100, 94, 96), (96, 97, 95, 96)],
                             [1, 0, 0, 0], strategy: s)
        let t = try #require(r.trades.first)
        #expect(t.exitReason == .stop)
        #expect(t.exitPrice == 95)
        #expect(t.exitTime == Self.start + 2 * Self.hour)
        #expect(t.pnl == -50)
    }

    @Test func gapThroughStopFillsAtOpen() throws {
        // Stop at 95; bar 2 opens at 90 (gap below the stop): the stop fills at the open, 90.
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, stopLoss: 0.05, size: .units(10))
        let r = try Self.run([(100, 100, 100, 100), (100, 101, 99, 100), (90, 92, 88, 91), (91, 92, 90, 91)],
                             [1, 0, 0, 0], strategy: s)
        let t = try #require(r.trades.first)
        #expect(t.exitReason == .stop)
        #expect(t.exitPrice == 90)
        #expect(t.pnl == -100)
    }

    @Test func takeProfitAndGapThroughTarget() throws {
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, takeProfit: 0.1, size: .units(10))
        // Target 110 reached inside bar 2.
        let a = try Self.run([(100, 100, 100, 100), (100, 101, 99, 100), (105, 111, 104, 108), (108, 109, 107, 108)],
                             [1, 0, 0, 0], strategy: s)
        #expect(a.trades.first?.exitReason == .takeProfit)
        #expect(abs((a.trades.first?.exitPrice ?? 0) - 110) < 1e-9)   // 100 × 1.1
        // Bar 2 opens at 115, above the target: fills at the open.
        let b = try Self.run([(100, 100, 100, 100), (100, 101, 99, 100), (115, 116, 114, 115), (115, 116, 114, 115)],
                             [1, 0, 0, 0], strategy: s)
        #expect(b.trades.first?.exitPrice == 115)
    }

    @Test func stopAndTargetInOneBarStopFirst() throws {
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, stopLoss: 0.05, takeProfit: 0.05,
                                 size: .units(10))
        let r = try Self.run([(100, 100, 100, 100), (100, 101, 99, 100), (100, 106, 94, 100), (100, 101, 99, 100)],
                             [1, 0, 0, 0], strategy: s)
        #expect(r.trades.first?.exitReason == .stop)
        #expect(r.trades.first?.exitPrice == 95)
    }

    @Test func entryBarRangeCountsButNotAsGap() throws {
        // Entry at bar 1's open (100); bar 1's own low 94 hits the 5 % stop at 95.
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, stopLoss: 0.05, size: .units(10))
        let r = try Self.run([(100, 100, 100, 100), (100, 101, 94, 96), (96, 97, 95, 96)], [1, 0, 0], strategy: s)
        #expect(r.trades.first?.exitTime == Self.start + Self.hour)
        #expect(r.trades.first?.exitPrice == 95)
    }

    @Test func shortSide() throws {
        // SHORT when the prediction is below −0.5; cover when above 0.
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, allowShort: true,
                                 shortEntryThreshold: -0.5, shortExitThreshold: 0, size: .units(10))
        let r = try Self.run([(100, 100, 100, 100), (100, 101, 99, 99), (98, 99, 97, 97), (96, 97, 95, 96)],
                             [-1, 0, 0.1, 0], strategy: s)
        let t = try #require(r.trades.first)
        #expect(t.side == .short)
        #expect(t.entryPrice == 100)
        #expect(t.exitPrice == 96)
        #expect(t.pnl == 40)
        #expect(r.equity.position == [0, -10, -10, 0])
        #expect(r.equity.cash[1] == 11_000)
        #expect(r.equity.equity[1] == 10_010)      // 11000 − 10 × 99
    }

    @Test func reversalIsExitAndEntryAtTheSameOpen() throws {
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, allowShort: true,
                                 shortEntryThreshold: -0.5, shortExitThreshold: 0, size: .units(10))
        let r = try Self.run([(100, 100, 100, 100), (100, 101, 99, 100), (102, 103, 101, 102), (101, 102, 100, 101)],
                             [1, -1, 0, 0], strategy: s)
        #expect(r.trades.count == 1)
        #expect(r.trades[0].exitPrice == 102)
        #expect(r.openPosition?.side == .short)
        #expect(r.openPosition?.entryPrice == 102)
        #expect(r.equity.position == [0, 10, -10, -10])
    }

    @Test func buyingPowerRejection() throws {
        // 200 units × 101 = 20,200 > 1 × 10,000 equity: rejected and counted, not resized.
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, size: .units(200))
        let r = try Self.run([(100, 100, 100, 100), (101, 101, 101, 101), (101, 101, 101, 101)], [1, 0, 0], strategy: s)
        #expect(r.rejectedOrders == 1)
        #expect(r.trades.isEmpty)
        #expect(r.equity.position == [0, 0, 0])
        // With leverage 3 it fills.
        let r3 = try Self.run([(100, 100, 100, 100), (101, 101, 101, 101), (101, 101, 101, 101)], [1, 0, 0], strategy: s,
                              execution: ExecutionSettings(initialCapital: 10_000, maxLeverage: 3))
        #expect(r3.rejectedOrders == 0)
        #expect(r3.equity.position.last == 200)
    }

    @Test func fractionSizingUsesWholeUnitsOfEquity() throws {
        // 50 % of 10,000 at 101 → floor(49.50…) = 49 units.
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, size: .fraction(0.5))
        let r = try Self.run([(100, 100, 100, 100), (101, 101, 101, 101), (101, 101, 101, 101)], [1, 0, 0], strategy: s)
        #expect(r.equity.position.last == 49)
    }

    @Test func openPositionAtEndIsMarkedNotClosed() throws {
        let r = try Self.run([(100, 100, 100, 100), (101, 102, 100, 102), (103, 106, 102, 105)], [1, 0, 0])
        #expect(r.trades.isEmpty)
        let open = try #require(r.openPosition)
        #expect(open.entryPrice == 101)
        #expect(open.markPrice == 105)
        #expect(open.unrealizedPnL == 40)
        #expect(r.equity.equity.last == 10_040)
        // close_at_end closes it at the last close with exit reason `end`.
        let closed = try Self.run([(100, 100, 100, 100), (101, 102, 100, 102), (103, 106, 102, 105)], [1, 0, 0],
                                  execution: ExecutionSettings(initialCapital: 10_000, closeAtEnd: true))
        #expect(closed.openPosition == nil)
        #expect(closed.trades.first?.exitReason == .end)
        #expect(closed.trades.first?.exitPrice == 105)
        #expect(closed.equity.equity.last == 10_040)
    }

    @Test func orderOnLastBarNeverFills() throws {
        let r = try Self.run([(100, 100, 100, 100), (101, 101, 101, 101)], [0, 1])
        #expect(r.trades.isEmpty)
        #expect(r.openPosition == nil)
        #expect(r.equity.position == [0, 0])
    }

    @Test func missingPredictionsHoldAndAreCounted() throws {
        let r = try Self.run([(100, 100, 100, 100), (101, 101, 101, 101), (102, 102, 102, 102), (103, 103, 103, 103)],
                             [1, nil, nil, 0])
        #expect(r.barsWithoutPrediction == 2)
        #expect(r.openPosition?.size == 10)
    }

    @Test func dailyLossCapFlattensAndBlocksUntilNextDay() throws {
        // 6-hour bars: four per day. 500 units long from 10.0; a 1 % cap of 10,000 = 100.
        // Day 1 bar 2 closes at 9.7: loss 150 ≥ 100 → flatten at bar 3's open (9.7); the LONG signal on bar 3 is
        // ignored the same day; on day 2 (bar 4) the LONG signal fills at bar 5's open.
        let sixHours = 6 * Self.hour
        let rows: [(Double, Double, Double, Double)] = [
            (10, 10, 10, 10), (10, 10, 10, 10), (10, 10, 9.7, 9.7), (9.7, 9.7, 9.7, 9.7),
            (9.7, 9.7, 9.7, 9.7), (9.8, 9.8, 9.8, 9.8), (9.8, 9.8, 9.8, 9.8),
        ]
        let s = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, size: .units(500))
        let r = try Self.run(rows, [1, 0, 0, 1, 1, 0, 0], strategy: s,
                             execution: ExecutionSettings(initialCapital: 10_000, dailyLossCap: 0.01),
                             spacing: sixHours)
        #expect(r.dailyCapHits == 1)
        let t = try #require(r.trades.first)
        #expect(t.exitReason == .dailyCap)
        #expect(t.exitTime == Self.start + 3 * sixHours)
        #expect(abs(t.exitPrice - 9.7) < 1e-12)
        #expect(r.equity.position == [0, 500, 500, 0, 0, 500, 500])
    }

    @Test func smaFilterOnlyLongAboveTheAverage() throws {
        // SMA(2): bar 1 close 99 < SMA 99.5 → LONG is filtered; bar 2 close 103 > SMA 101 → LONG at bar 3's open.
        let s = StrategySettings(name: "sma_filter", entryThreshold: 0.5, exitThreshold: -0.5, size: .units(10),
                                 smaPeriod: 2)
        let r = try Self.run([(100, 100, 100, 100), (99, 99, 99, 99), (103, 103, 103, 103), (104, 104, 104, 104)],
                             [1, 1, 1, 0], strategy: s)
        #expect(r.equity.position == [0, 0, 0, 10])
        #expect(r.openPosition?.entryPrice == 104)
    }

    @Test func unknownStrategyIsAnError() {
        #expect(throws: StrategyError.self) {
            try Self.run([(100, 100, 100, 100)], [0], strategy: StrategySettings(name: "nope"))
        }
    }
}
