import Testing
@testable import TradingCore

/// Properties that hold for any bars and parameters.
@Suite struct EngineInvariantTests {
    /// A seeded random walk with consistent OHLC and a noisy prediction of the next return.
    static func randomInputs(count: Int, seed: UInt64) -> (BarSeries, [Double]) {
        var rng = SplitMix(state: seed)
        var bars = BarSeries(symbol: "R")
        var price = 100.0
        for i in 0..<count {
            let open = price * (1 + 0.004 * rng.symmetric())
            let close = open * (1 + 0.01 * rng.symmetric())
            let high = max(open, close) * (1 + 0.005 * rng.unit())
            let low = min(open, close) * (1 - 0.005 * rng.unit())
            bars.append(Bar(time: Int64(i) * 3_600 * Timestamps.nanosPerSecond, open: open, high: high, low: low,
                            close: close, volume: 1000))
            price = close
        }
        var preds = [Double](repeating: .nan, count: count)
        for i in 0..<(count - 1) where i % 17 != 0 {
            preds[i] = (bars.close[i + 1] / bars.close[i] - 1) * 0.5 + 0.004 * rng.symmetric()
        }
        return (bars, preds)
    }

    static let parameterSets: [(StrategySettings, ExecutionSettings)] = [
        (StrategySettings(entryThreshold: 0.001, exitThreshold: 0, size: .fraction(0.9)),
         ExecutionSettings(initialCapital: 50_000, perTradeCost: 1, slippageBps: 5)),
        (StrategySettings(entryThreshold: 0.002, exitThreshold: -0.001, allowShort: true, shortEntryThreshold: -0.002,
                          shortExitThreshold: 0.001, stopLoss: 0.01, takeProfit: 0.02, size: .units(100)),
         ExecutionSettings(initialCapital: 50_000, perTradeCost: 2, slippageBps: 10, dailyLossCap: 0.01)),
        (StrategySettings(name: "sma_filter", entryThreshold: 0.0, exitThreshold: -0.002, allowShort: true,
                          shortEntryThreshold: -0.001, shortExitThreshold: 0.0, stopLoss: 0.02, size: .fraction(1.5),
                          smaPeriod: 20),
         ExecutionSettings(initialCapital: 50_000, perTradeCost: 0.5, slippageBps: 2, dailyLossCap: 0.02,
                           maxLeverage: 2, closeAtEnd: true)),
    ]

    @Test(arguments: 0..<3)
    func equityIsCashPlusPositionValueAtEveryBar(set: Int) throws {
        let (bars, preds) = Self.randomInputs(count: 3_000, seed: 7 + UInt64(set))
        let (s, e) = Self.parameterSets[set]
        let r = try Backtest.run(bars: bars, predictedReturns: preds, strategy: s, execution: e)
        #expect(r.trades.count > 10)
        for i in 0..<bars.count {
            let expected = r.equity.cash[i] + r.equity.position[i] * bars.close[i]
            #expect(abs(r.equity.equity[i] - expected) <= 1e-9 * abs(expected))
        }
    }

    @Test(arguments: 0..<3)
    func tradePnLSumsToEquityChangeWhenFlat(set: Int) throws {
        let (bars, preds) = Self.randomInputs(count: 3_000, seed: 11 + UInt64(set))
        var (s, e) = Self.parameterSets[set]
        e.closeAtEnd = true
        s.stopLoss = s.stopLoss ?? 0.03
        let r = try Backtest.run(bars: bars, predictedReturns: preds, strategy: s, execution: e)
        #expect(r.openPosition == nil)
        let pnl = r.trades.reduce(0) { $0 + $1.pnl }
        #expect(abs((r.equity.equity.last! - e.initialCapital) - pnl) < 1e-6)
    }
}

/// A tiny seeded generator for test inputs.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func symmetric() -> Double { 2 * unit() - 1 }
}
