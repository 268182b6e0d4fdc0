/// The execution model driven one message at a time, as the execution service drives it from the bus: a bar,
/// then the strategy's decision on that bar's close, then the next bar… It records the account at every close
/// and ends with the same `BacktestResult` the in-process engine produces for the same bars and decisions.
public struct ExecutionStream: Sendable {
    public private(set) var machine: ExecutionStateMachine
    public private(set) var equity = EquityCurve()
    private var withoutPrediction = 0
    private var lastClose = Double.nan

    public init(settings: StrategySettings, execution: ExecutionSettings) {
        machine = ExecutionStateMachine(settings: settings, execution: execution)
    }

    /// Bars executed so far.
    public var count: Int { equity.time.count }

    /// Executes a bar: the order decided on the previous close fills at its open, stops and targets are checked,
    /// and the account is marked to its close. Returns the marked equity.
    @discardableResult
    public mutating func execute(_ bar: Bar) -> Double {
        machine.barOpened(time: bar.time, open: bar.open, high: bar.high, low: bar.low)
        let value = machine.barClosed(time: bar.time, close: bar.close)
        equity.time.append(bar.time)
        equity.equity.append(value)
        equity.cash.append(machine.cash)
        equity.position.append(machine.units)
        lastClose = bar.close
        return value
    }

    /// Applies the strategy's decision on the close of the last executed bar.
    public mutating func apply(_ plan: SignalPlan) {
        if plan.predictedReturn == nil { withoutPrediction += 1 }
        machine.decide(plan.signal(for: machine.direction))
    }

    /// Ends the run after the last bar (closing a position with `closeAtEnd`) and returns the result.
    public mutating func finish() -> BacktestResult {
        if let last = equity.time.last {
            let value = machine.finish(time: last, close: lastClose)
            equity.equity[equity.equity.count - 1] = value
            equity.cash[equity.cash.count - 1] = machine.cash
            equity.position[equity.position.count - 1] = machine.units
        }
        return BacktestResult(initialCapital: machine.execution.initialCapital, trades: machine.trades,
                              equity: equity, openPosition: lastClose.isNaN ? nil : machine.openPosition(mark: lastClose),
                              rejectedOrders: machine.rejectedOrders, barsWithoutPrediction: withoutPrediction,
                              dailyCapHits: machine.dailyCapHits)
    }
}
