/// The execution model driven one message at a time, as the execution service drives it from the bus: a bar,
/// then the strategy's decision on that bar's close, then the next bar… It records the account at every close,
/// reports each bar's fills, and ends with the same `BacktestResult` the in-process engine produces for the same
/// bars and decisions.
public struct ExecutionStream: Sendable {
    public let symbol: String
    public private(set) var machine: ExecutionStateMachine
    public private(set) var equity = EquityCurve()
    /// Net PnL of the closed trades.
    public private(set) var realizedPnL = 0.0
    private var withoutPrediction = 0
    /// The close of the last executed bar.
    public private(set) var lastClose = Double.nan
    /// Set by the kill switch: no decision is carried out until `resume`.
    public private(set) var isHalted = false
    private var flattenWhileHalted = false
    /// The live risk rules, when the run applies them.
    public private(set) var risk: RiskGate?

    public init(symbol: String, settings: StrategySettings, execution: ExecutionSettings, riskLimits: RiskLimits? = nil) {
        self.symbol = symbol
        machine = ExecutionStateMachine(settings: settings, execution: execution)
        risk = riskLimits.map { RiskGate(limits: $0, symbol: symbol, initialEquity: execution.initialCapital) }
    }

    /// Bars executed so far.
    public var count: Int { equity.time.count }

    /// Executes a bar: the order decided on the previous close fills at its open, stops and targets are checked,
    /// and the account is marked to its close. Returns the fills, in the order they happened, with client order
    /// IDs derived from the strategy, the symbol and `sequence` (the bar's sequence number on the bus).
    @discardableResult
    public mutating func execute(_ bar: Bar, sequence: UInt64) -> [Fill] {
        let tradesBefore = machine.trades.count
        risk?.barOpening(time: bar.time, equity: equity.equity.last ?? machine.execution.initialCapital)
        machine.barOpened(time: bar.time, open: bar.open, high: bar.high, low: bar.low)
        let value = machine.barClosed(time: bar.time, close: bar.close)
        equity.time.append(bar.time)
        equity.equity.append(value)
        equity.cash.append(machine.cash)
        equity.position.append(machine.units)
        lastClose = bar.close
        let fills = fills(since: tradesBefore, time: bar.time, sequence: sequence, entries: true)
        risk?.barClosed(fills: fills, close: bar.close, time: bar.time)
        return fills
    }

    /// Applies the strategy's decision on the close of the last executed bar. Returns the decision refused by the
    /// kill switch, if it asked for a change of position.
    @discardableResult
    public mutating func apply(_ plan: SignalPlan) -> Signal? {
        if plan.predictedReturn == nil { withoutPrediction += 1 }
        var signal = plan.signal(for: machine.direction)
        guard isHalted else {
            if risk != nil, let time = equity.time.last {
                signal = risk!.vet(signal, units: machine.units, equity: equity.equity.last ?? machine.cash,
                                   close: lastClose, time: time)
            }
            machine.decide(signal)
            return nil
        }
        if flattenWhileHalted && machine.units != 0 {
            machine.decide(Signal(direction: .flat, size: signal.size))
        }
        return signal.direction != machine.direction ? signal : nil
    }

    /// The kill switch: the order waiting for the next open is cancelled, no decision is carried out until
    /// `resume()`, and with `flatten` the position is closed at the next open.
    public mutating func kill(flatten: Bool) {
        isHalted = true
        flattenWhileHalted = flatten
        machine.cancelPending()
        if flatten && machine.units != 0 {
            machine.decide(Signal(direction: .flat, size: .units(abs(machine.units))))
        }
    }

    /// Lifts the kill switch: the next decision is carried out again.
    public mutating func resume() {
        isHalted = false
        flattenWhileHalted = false
    }

    /// The account after the last executed bar, marked to its close.
    public var snapshot: PositionSnapshot {
        PositionSnapshot(symbol: symbol, position: machine.units, cash: machine.cash,
                         equity: equity.equity.last ?? machine.execution.initialCapital, realizedPnL: realizedPnL,
                         unrealizedPnL: machine.openPosition(mark: lastClose)?.unrealizedPnL ?? 0)
    }

    /// Ends the run after the last bar (closing a position with `closeAtEnd`); returns the result and the fills
    /// of that closing.
    public mutating func finish(sequence: UInt64) -> (result: BacktestResult, fills: [Fill]) {
        var fills: [Fill] = []
        if let last = equity.time.last {
            let tradesBefore = machine.trades.count
            let value = machine.finish(time: last, close: lastClose)
            equity.equity[equity.equity.count - 1] = value
            equity.cash[equity.cash.count - 1] = machine.cash
            equity.position[equity.position.count - 1] = machine.units
            fills = self.fills(since: tradesBefore, time: last, sequence: sequence, entries: false)
        }
        var result = BacktestResult(
            initialCapital: machine.execution.initialCapital, trades: machine.trades, equity: equity,
            openPosition: lastClose.isNaN ? nil : machine.openPosition(mark: lastClose),
            rejectedOrders: machine.rejectedOrders, barsWithoutPrediction: withoutPrediction,
            dailyCapHits: machine.dailyCapHits)
        result.riskEvents = risk?.events
        return (result, fills)
    }

    /// The fills implied by the trades closed since `tradesBefore` and (with `entries`) by positions opened at
    /// `time`.
    private mutating func fills(since tradesBefore: Int, time: Int64, sequence: UInt64, entries: Bool) -> [Fill] {
        var fills: [Fill] = []
        let cost = machine.execution.perTradeCost
        func add(long: Bool, opening: Bool, quantity: Double, price: Double, reason: FillReason) {
            // The close-out after the last bar gets its own suffix: it is not one of that bar's fills.
            let id = "\(machine.settings.name)-\(symbol)-\(sequence)-" + (entries ? "\(fills.count + 1)" : "end")
            fills.append(Fill(clientOrderID: id, symbol: symbol, side: long == opening ? .buy : .sell,
                              quantity: quantity, price: price, cost: cost, reason: reason))
        }
        for trade in machine.trades[tradesBefore...] {
            let long = trade.side == .long
            if entries && trade.entryTime == time {
                add(long: long, opening: true, quantity: trade.size, price: trade.entryPrice, reason: .signal)
            }
            add(long: long, opening: false, quantity: trade.size, price: trade.exitPrice, reason: trade.exitReason)
            realizedPnL += trade.pnl
        }
        if entries && machine.units != 0 && machine.entryTime == time {
            add(long: machine.units > 0, opening: true, quantity: abs(machine.units), price: machine.entryPrice,
                reason: .signal)
        }
        return fills
    }
}
