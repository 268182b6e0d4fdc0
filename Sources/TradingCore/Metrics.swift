#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Performance metrics of one backtest. Formulas: docs/metrics.md.
public struct Metrics: Sendable, Equatable {
    public var bars: Int
    public var barsPerYear: Double
    public var finalEquity: Double
    public var totalReturn: Double
    public var cagr: Double?
    public var sharpe: Double?
    public var sortino: Double?
    public var maxDrawdown: Double
    public var maxDrawdownDurationBars: Int
    public var numTrades: Int
    public var winRate: Double?
    public var profitFactor: Double?
    public var avgTradeReturn: Double?
    public var exposure: Double
    public var rejectedOrders: Int
    public var barsWithoutPrediction: Int
    public var dailyCapHits: Int

    /// Computes the metrics of `result`; `barsPerYear` annualises per-bar statistics.
    public init(result: BacktestResult, barsPerYear: Double) {
        let equity = result.equity.equity
        let n = equity.count
        let initial = result.initialCapital
        bars = n
        self.barsPerYear = barsPerYear
        finalEquity = equity.last ?? initial
        totalReturn = finalEquity / initial - 1

        let years = Double(n) / barsPerYear
        cagr = (n > 0 && years > 0 && finalEquity > 0) ? pow(finalEquity / initial, 1 / years) - 1 : nil

        // Per-bar returns, the first against the initial capital.
        var sum = 0.0, sumSq = 0.0, downSq = 0.0
        var previous = initial
        var peak = initial
        var maxDD = 0.0
        var underwater = 0, longestUnderwater = 0
        var exposed = 0
        for i in 0..<n {
            let e = equity[i]
            let r = previous != 0 ? e / previous - 1 : 0
            sum += r
            sumSq += r * r
            if r < 0 { downSq += r * r }
            previous = e
            if e >= peak {
                peak = e
                underwater = 0
            } else {
                underwater += 1
                longestUnderwater = max(longestUnderwater, underwater)
                maxDD = max(maxDD, 1 - e / peak)
            }
            if result.equity.position[i] != 0 { exposed += 1 }
        }
        maxDrawdown = maxDD
        maxDrawdownDurationBars = longestUnderwater
        exposure = n > 0 ? Double(exposed) / Double(n) : 0
        if n > 1 {
            let mean = sum / Double(n)
            let variance = (sumSq - Double(n) * mean * mean) / Double(n - 1)
            let sd = variance > 0 ? variance.squareRoot() : 0
            sharpe = sd > 0 ? mean / sd * barsPerYear.squareRoot() : nil
            let downside = (downSq / Double(n)).squareRoot()
            sortino = downside > 0 ? mean / downside * barsPerYear.squareRoot() : nil
        }

        let trades = result.trades
        numTrades = trades.count
        var wins = 0, grossProfit = 0.0, grossLoss = 0.0, returns = 0.0
        for t in trades {
            if t.pnl > 0 { wins += 1; grossProfit += t.pnl } else { grossLoss -= t.pnl }
            returns += t.returnFraction
        }
        winRate = numTrades > 0 ? Double(wins) / Double(numTrades) : nil
        profitFactor = grossLoss > 0 ? grossProfit / grossLoss : nil
        avgTradeReturn = numTrades > 0 ? returns / Double(numTrades) : nil
        rejectedOrders = result.rejectedOrders
        barsWithoutPrediction = result.barsWithoutPrediction
        dailyCapHits = result.dailyCapHits
    }
}
