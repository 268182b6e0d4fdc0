/// The execution model driven one message at a time, as the execution service drives it from the bus: a bar,
/// then the strategy's decision on that bar's close, then the next bar… It records the account at every close,
/// reports each bar's fills, and ends with the same `BacktestResult` the in-process engine produces for the same
/// bars and decisions. Its orders go to a `Broker` — by default the `SimulatedBroker` with the run's costs — and
/// the account moves by the broker's fills.
public struct ExecutionStream: Sendable {
    public let symbol: String
    public private(set) var machine: ExecutionStateMachine
    public private(set) var equity = EquityCurve()
    /// Net PnL of the closed trades.
    public private(set) var realizedPnL = 0.0
    private var withoutPrediction = 0
    /// The close of the last executed bar.
    public private(set) var lastClose = Double.nan
    /// The live risk rules and the kill switch (held by the rules' state machine, rules or not).
    public private(set) var gate: RiskGate
    /// The broker and what it said during the last step (`orders`, `rejections`).
    public private(set) var venue: BrokerVenue

    /// A stream whose orders go to `broker`, or to a `SimulatedBroker` with the run's capital and costs.
    public init(symbol: String, settings: StrategySettings, execution: ExecutionSettings, riskLimits: RiskLimits? = nil,
                broker: (any Broker)? = nil) {
        self.symbol = symbol
        machine = ExecutionStateMachine(settings: settings, execution: execution)
        gate = RiskGate(limits: riskLimits, symbol: symbol, initialEquity: execution.initialCapital)
        venue = BrokerVenue(broker: broker ?? SimulatedBroker(initialCash: execution.initialCapital,
                                                              perFillCost: execution.perTradeCost,
                                                              slippageBps: execution.slippageBps),
                            strategy: settings.name, symbol: symbol)
    }

    /// The live risk rules, when the run applies them.
    public var risk: RiskGate? { gate.enforcesRules ? gate : nil }

    /// The risk rules' denials and trading state changes so far, the kill switch's included.
    public var riskEvents: [RiskGate.Event] { gate.events }

    /// Whether the kill switch holds: no decision is carried out until `resume`.
    public var isHalted: Bool { gate.isKilled }

    /// The orders sent to the broker during the last `execute` or `finish`, in order.
    public var orders: [Order] { venue.orders }

    /// Bars executed so far.
    public var count: Int { equity.time.count }

    /// Executes a bar: the order decided on the previous close fills at its open, stops and targets are checked,
    /// and the account is marked to its close. Returns the broker's fills, in the order they happened, with client
    /// order IDs derived from the strategy, the symbol and `sequence` (the bar's sequence number on the bus).
    @discardableResult
    public mutating func execute(_ bar: Bar, sequence: UInt64) -> [Fill] {
        let tradesBefore = machine.trades.count
        if gate.enforcesRules {
            gate.barOpening(time: bar.time, equity: equity.equity.last ?? machine.execution.initialCapital)
        }
        venue.begin(sequence: sequence)
        venue.barOpened(bar)
        machine.barOpened(time: bar.time, open: bar.open, high: bar.high, low: bar.low, venue: &venue)
        venue.barClosed(bar)
        let value = machine.barClosed(time: bar.time, close: bar.close)
        equity.time.append(bar.time)
        equity.equity.append(value)
        equity.cash.append(machine.cash)
        equity.position.append(machine.units)
        lastClose = bar.close
        if machine.trades.count > tradesBefore { realize(since: tradesBefore) }
        let fills = venue.fills
        if gate.enforcesRules { gate.barClosed(fills: fills, close: bar.close, time: bar.time) }
        return fills
    }

    /// Applies the strategy's decision on the close of the last executed bar. Returns the decision refused by the
    /// kill switch, if it asked for a change of position.
    @discardableResult
    public mutating func apply(_ plan: SignalPlan) -> Signal? {
        if plan.predictedReturn == nil { withoutPrediction += 1 }
        var signal = plan.signal(for: machine.direction)
        guard gate.isKilled else {
            if gate.enforcesRules, let time = equity.time.last {
                signal = gate.vet(signal, units: machine.units, equity: equity.equity.last ?? machine.cash,
                                  close: lastClose, time: time)
            }
            machine.decide(signal)
            return nil
        }
        if gate.killFlattens { machine.flatten(reason: .kill) }
        return signal.direction != machine.direction ? signal : nil
    }

    /// The kill switch: the order waiting for the next open is cancelled, no decision is carried out until
    /// `resume()`, and with `flatten` (or the risk config's `flatten_on_kill`) the position is closed at the next
    /// open (a fill with reason `kill`). Returns what the cancelled order asked for, if one was waiting.
    @discardableResult
    public mutating func kill(reason: String = "kill switch", flatten: Bool) -> Signal? {
        gate.kill(reason: reason, flatten: flatten, time: equity.time.last ?? 0)
        let cancelled = machine.cancelPending()
        if gate.killFlattens { machine.flatten(reason: .kill) }
        return cancelled
    }

    /// Lifts the kill switch: the next decision is carried out again.
    public mutating func resume() {
        gate.resume(time: equity.time.last ?? 0)
    }

    /// The order `signal` asks for from the position held, sized as it would be on the last close: closing the
    /// position for `flat`, else the opening order. What a refused or cancelled decision is reported as.
    public func order(for signal: Signal) -> (side: OrderSide, quantity: Double) {
        let position = machine.units
        let buying = signal.direction == .long || (signal.direction == .flat && position < 0)
        let quantity = signal.direction == .flat
            ? abs(position) : PositionSizer.units(signal.size, equity: equity.equity.last ?? 0, price: lastClose)
        return (buying ? .buy : .sell, quantity)
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
        venue.begin(sequence: sequence)
        if let last = equity.time.last {
            let tradesBefore = machine.trades.count
            let value = machine.finish(time: last, close: lastClose, venue: &venue)
            equity.equity[equity.equity.count - 1] = value
            equity.cash[equity.cash.count - 1] = machine.cash
            equity.position[equity.position.count - 1] = machine.units
            realize(since: tradesBefore)
            fills = venue.fills
        }
        var result = BacktestResult(
            initialCapital: machine.execution.initialCapital, trades: machine.trades, equity: equity,
            openPosition: lastClose.isNaN ? nil : machine.openPosition(mark: lastClose),
            rejectedOrders: machine.rejectedOrders, barsWithoutPrediction: withoutPrediction,
            dailyCapHits: machine.dailyCapHits)
        result.riskEvents = gate.enforcesRules ? gate.events : nil
        return (result, fills)
    }

    /// Adds the net PnL of the trades closed since `tradesBefore`.
    private mutating func realize(since tradesBefore: Int) {
        for trade in machine.trades[tradesBefore...] { realizedPnL += trade.pnl }
    }
}
