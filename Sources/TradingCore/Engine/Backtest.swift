/// Entry point of the in-process backtest engine.
public enum Backtest {
    /// Runs one backtest.
    /// - Parameters:
    ///   - bars: the validated bar series.
    ///   - predictedReturns: one value per bar, aligned with `bars`; `.nan` where the bar has no prediction.
    ///   - strategy: which strategy and its parameters.
    ///   - execution: costs, risk limits and accounting options.
    public static func run(bars: BarSeries, predictedReturns: [Double], strategy: StrategySettings,
                           execution: ExecutionSettings) throws -> BacktestResult {
        // Interface placeholder: the engine lands in Engine/.
        BacktestResult(initialCapital: execution.initialCapital)
    }
}
