/// The in-process engine: drives an `ExecutionStateMachine` and a strategy over a bar series held in arrays.
///
/// On each bar t: (1) the order decided on bar t−1's close fills at bar t's open and stops/targets are checked on
/// the bar's range; (2) the account is marked to the close and the daily loss cap checked; (3) the strategy decides
/// on the close. An order decided on the last bar never fills. Rules: docs/execution.md.
struct BacktestEngine<S: Strategy> {
    private var strategy: S
    private var machine: ExecutionStateMachine
    private let settings: StrategySettings

    init(strategy: S, settings: StrategySettings, execution: ExecutionSettings) {
        self.strategy = strategy
        self.settings = settings
        machine = ExecutionStateMachine(settings: settings, execution: execution)
    }

    /// Where the per-bar account state is written.
    private struct Outputs {
        let equity: UnsafeMutableBufferPointer<Double>
        let cash: UnsafeMutableBufferPointer<Double>
        let position: UnsafeMutableBufferPointer<Double>
    }

    mutating func run(bars: BarSeries, predictedReturns: [Double]) -> BacktestResult {
        let n = bars.count
        var withoutPrediction = 0
        // The loop writes every element of the three columns, so they start uninitialised (no zero fill).
        var cashOut: [Double] = []
        var positionOut: [Double] = []
        let equityOut = [Double](unsafeUninitializedCapacity: n) { equityBuffer, equityCount in
            cashOut = Array(unsafeUninitializedCapacity: n) { cashBuffer, cashCount in
                positionOut = Array(unsafeUninitializedCapacity: n) { positionBuffer, positionCount in
                    withoutPrediction = loop(bars: bars, predictedReturns: predictedReturns,
                                             out: Outputs(equity: equityBuffer, cash: cashBuffer,
                                                          position: positionBuffer))
                    positionCount = n
                }
                cashCount = n
            }
            equityCount = n
        }
        var result = BacktestResult(initialCapital: machine.execution.initialCapital, trades: machine.trades,
                                    openPosition: n > 0 ? machine.openPosition(mark: bars.close[n - 1]) : nil,
                                    rejectedOrders: machine.rejectedOrders, barsWithoutPrediction: withoutPrediction,
                                    dailyCapHits: machine.dailyCapHits)
        result.equity.time = bars.time
        result.equity.equity = equityOut
        result.equity.cash = cashOut
        result.equity.position = positionOut
        return result
    }

    /// Runs every bar; returns the number of bars without a prediction.
    private mutating func loop(bars: BarSeries, predictedReturns: [Double], out: Outputs) -> Int {
        bars.time.withUnsafeBufferPointer { time in
            bars.open.withUnsafeBufferPointer { open in
                bars.high.withUnsafeBufferPointer { high in
                    bars.low.withUnsafeBufferPointer { low in
                        bars.close.withUnsafeBufferPointer { close in
                            bars.volume.withUnsafeBufferPointer { volume in
                                predictedReturns.withUnsafeBufferPointer { preds in
                                    loop(time: time, open: open, high: high, low: low, close: close,
                                         volume: volume, preds: preds, out: out)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private mutating func loop(time: UnsafeBufferPointer<Int64>, open: UnsafeBufferPointer<Double>,
                               high: UnsafeBufferPointer<Double>, low: UnsafeBufferPointer<Double>,
                               close: UnsafeBufferPointer<Double>, volume: UnsafeBufferPointer<Double>,
                               preds: UnsafeBufferPointer<Double>, out: Outputs) -> Int {
        let n = time.count
        var indicators = IndicatorTracker(smaPeriod: settings.smaPeriod)
        let usesIndicators = S.usesIndicators
        var withoutPrediction = 0
        for t in 0..<n {
            machine.barOpened(time: time[t], open: open[t], high: high[t], low: low[t])
            let c = close[t]
            out.equity[t] = machine.barClosed(time: time[t], close: c)
            out.cash[t] = machine.cash
            out.position[t] = machine.units
            let p = preds[t]
            if p.isNaN { withoutPrediction += 1 }
            if t == n - 1 {
                out.equity[t] = machine.finish(time: time[t], close: c)
                out.cash[t] = machine.cash
                out.position[t] = machine.units
                break
            }
            let state = StrategyState(
                index: t, predictedReturn: p.isNaN ? nil : p, position: machine.direction,
                indicators: usesIndicators ? indicators.update(c) : Indicators(),
                time: time, open: open, high: high, low: low, close: close, volume: volume)
            machine.decide(strategy.decide(state))
        }
        return withoutPrediction
    }
}
