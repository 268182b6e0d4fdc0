import Testing
@testable import TradingCore
import TradingRun

@Suite struct MetricsTests {
    /// Equity 100 → 110 → 99 → 121 (initial 100): returns +10 %, −10 %, ≈ +22.22 %.
    static func result() -> BacktestResult {
        var curve = EquityCurve()
        curve.time = [0, 1, 2, 3]
        curve.equity = [100, 110, 99, 121]
        curve.cash = [100, 0, 0, 121]
        curve.position = [0, 1, 1, 0]
        let trades = [
            Trade(entryTime: 0, entryPrice: 100, exitTime: 1, exitPrice: 110, side: .long, size: 1, pnl: 10,
                  returnFraction: 0.1, costs: 0, exitReason: .signal),
            Trade(entryTime: 1, entryPrice: 110, exitTime: 2, exitPrice: 99, side: .long, size: 1, pnl: -11,
                  returnFraction: -0.1, costs: 0, exitReason: .stop),
            Trade(entryTime: 2, entryPrice: 99, exitTime: 3, exitPrice: 121, side: .long, size: 1, pnl: 22,
                  returnFraction: 22.0 / 99, costs: 0, exitReason: .signal),
        ]
        return BacktestResult(initialCapital: 100, trades: trades, equity: curve, rejectedOrders: 2,
                              barsWithoutPrediction: 1)
    }

    @Test func handComputedValues() throws {
        let m = Metrics(result: Self.result(), barsPerYear: 4)
        #expect(m.finalEquity == 121)
        #expect(abs(m.totalReturn - 0.21) < 1e-12)
        #expect(abs(try #require(m.cagr) - 0.21) < 1e-12)           // one year of bars
        #expect(abs(m.maxDrawdown - 0.1) < 1e-12)                   // 110 → 99
        #expect(m.maxDrawdownDurationBars == 1)
        #expect(m.numTrades == 3)
        #expect(abs(try #require(m.winRate) - 2.0 / 3) < 1e-12)
        #expect(abs(try #require(m.profitFactor) - 32.0 / 11) < 1e-12)
        #expect(m.exposure == 0.5)
        #expect(m.rejectedOrders == 2)
        // Returns 0, 0.1, −0.1, 22/99: mean and sample sd by hand.
        let r = [0.0, 0.1, -0.1, 22.0 / 99]
        let mean = r.reduce(0, +) / 4
        let sd = (r.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 3).squareRoot()
        #expect(abs(try #require(m.sharpe) - mean / sd * 2) < 1e-12)
        let downside = (0.01 / 4).squareRoot()
        #expect(abs(try #require(m.sortino) - mean / downside * 2) < 1e-12)
    }

    @Test func degenerateCasesAreNull() {
        var curve = EquityCurve()
        curve.time = [0, 1]
        curve.equity = [100, 100]
        curve.cash = [100, 100]
        curve.position = [0, 0]
        let m = Metrics(result: BacktestResult(initialCapital: 100, equity: curve), barsPerYear: 252)
        #expect(m.sharpe == nil)
        #expect(m.sortino == nil)
        #expect(m.winRate == nil)
        #expect(m.profitFactor == nil)
        let json = ResultWriter.metricsJSON(m, openPosition: nil, start: 0, end: 1, skippedRows: 0)
        #expect(json.contains("\"sharpe\": null"))
        #expect(json.contains("\"open_position\": null"))
    }

    @Test func writersExactBytes() {
        let r = Self.result()
        #expect(ResultWriter.tradesCSV(Array(r.trades.prefix(1))) == """
            entry_time,entry_price,exit_time,exit_price,side,size,pnl,return,costs,exit_reason
            1970-01-01T00:00:00,100.0,1970-01-01T00:00:00.000000001,110.0,LONG,1.0,10.0,0.1,0.0,signal

            """)
        #expect(ResultWriter.equityCSV(r.equity, initialCapital: 100).split(separator: "\n")[3]
                == "1970-01-01T00:00:00.000000002,99.0,0.0,1.0,0.09999999999999998")
    }
}
