/// Entry point of the in-process backtest engine.
public enum Backtest {
    /// Runs one backtest.
    /// - Parameters:
    ///   - bars: the validated bar series.
    ///   - predictedReturns: one value per bar, aligned with `bars`; `.nan` where the bar has no prediction.
    ///   - strategy: which strategy and its parameters.
    ///   - execution: costs, risk limits and accounting options.
    /// - Throws: `StrategyError` for an unknown strategy or invalid parameters.
    public static func run(bars: BarSeries, predictedReturns: [Double], strategy: StrategySettings,
                           execution: ExecutionSettings) throws -> BacktestResult {
        try StrategyRegistry.open(strategy, EngineRun(bars: bars, predictedReturns: predictedReturns,
                                                      settings: strategy, execution: execution))
    }

    /// `run` for the strategy the registry made.
    private struct EngineRun: StrategyBody {
        let bars: BarSeries
        let predictedReturns: [Double]
        let settings: StrategySettings
        let execution: ExecutionSettings

        func callAsFunction<S: Strategy>(_ strategy: S) -> BacktestResult {
            Backtest.run(bars: bars, predictedReturns: predictedReturns, strategy: strategy, settings: settings,
                         execution: execution)
        }
    }

    /// Runs one backtest with any `Strategy`; `settings` supplies stops, take-profit and the SMA period.
    public static func run<S: Strategy>(bars: BarSeries, predictedReturns: [Double], strategy: S,
                                        settings: StrategySettings, execution: ExecutionSettings) -> BacktestResult {
        var engine = BacktestEngine(strategy: strategy, settings: settings, execution: execution)
        return engine.run(bars: bars, predictedReturns: predictedReturns)
    }

    /// Runs one backtest bar by bar through the streams the mesh's services use, with the live risk rules: slower
    /// than the array engine, and what a run with `risk_rules:` uses. Without `riskLimits` it gives exactly the
    /// array engine's result.
    public static func runStreaming(bars: BarSeries, predictedReturns: [Double], strategy: StrategySettings,
                                    execution: ExecutionSettings, riskLimits: RiskLimits?) throws -> BacktestResult {
        var decide = try StrategyStream(settings: strategy, symbol: bars.symbol)
        var stream = ExecutionStream(symbol: bars.symbol, settings: strategy, execution: execution,
                                     riskLimits: riskLimits)
        for t in 0..<bars.count {
            let bar = bars[t]
            stream.execute(bar, sequence: UInt64(t + 1))
            let p = predictedReturns[t]
            stream.apply(decide.append(bar, predictedReturn: p.isNaN ? nil : p))
        }
        return stream.finish(sequence: UInt64(bars.count)).result
    }

    /// Checks a strategy's parameters (the registry does this before making any strategy).
    public static func validate(_ s: StrategySettings) throws {
        if let sl = s.stopLoss, !(sl > 0 && sl < 1) {
            throw StrategyError.badParameter("stop_loss", "must be a fraction in (0, 1), got \(sl)")
        }
        if let tp = s.takeProfit, !(tp > 0) {
            throw StrategyError.badParameter("take_profit", "must be a positive fraction, got \(tp)")
        }
        switch s.size {
        case .fraction(let f) where !(f > 0 && f.isFinite):
            throw StrategyError.badParameter("size.fraction", "must be positive, got \(f)")
        case .units(let u) where !(u > 0 && u.isFinite):
            throw StrategyError.badParameter("size.units", "must be positive, got \(u)")
        default: break
        }
        if s.smaPeriod < 1 { throw StrategyError.badParameter("sma_period", "must be at least 1, got \(s.smaPeriod)") }
    }
}
