/// The live risk rules (`RiskStateMachine`) around the bar-by-bar execution model, so that a backtest — in process
/// or through the mesh — and a paper session obey the same limits.
///
/// At a decision the orders it would place (closing the position, opening the new one) go through the rules first,
/// sized at the decision bar's close (the fill happens at the next open); a denied close keeps the position, a denied
/// opening leaves the account flat. After each bar the rules see its fills and its close; a new UTC day resets the
/// daily loss. When the rules halt trading and ask to flatten, the position is closed at the next open.
public struct RiskGate: Sendable {
    /// One entry of the risk log: a denial or a change of trading state.
    public struct Event: Sendable, Equatable {
        public var time: Int64
        public var kind: String
        public var rule: String
        public var detail: String
        /// For a denial: the order refused, the rule's limit and the value that broke it.
        public var denied: OrderDenied? = nil

        public init(time: Int64, kind: String, rule: String, detail: String, denied: OrderDenied? = nil) {
            self.time = time
            self.kind = kind
            self.rule = rule
            self.detail = detail
            self.denied = denied
        }
    }

    public private(set) var rules: RiskStateMachine
    /// Denials and state changes, in order.
    public private(set) var events: [Event] = []
    /// Whether the run applies risk rules (`risk_rules:`). Without, the gate holds only the kill switch: orders are
    /// not vetted and the bars do not reach the rules.
    public let enforcesRules: Bool
    /// While the kill switch holds: whether the position is closed (asked with the kill, or `flatten_on_kill`).
    public private(set) var killFlattens = false
    private let symbol: String
    private var day: Int64 = .min
    private var submitted: [String] = []
    private var flattenRequested = false
    private var orderCount = 0

    /// A gate applying `limits`; with nil, one that holds only the kill switch.
    public init(limits: RiskLimits?, symbol: String, initialEquity: Double) {
        enforcesRules = limits != nil
        rules = RiskStateMachine(limits: limits ?? RiskLimits(flattenOnHalt: false, flattenOnKill: false),
                                 startOfDayEquity: initialEquity)
        self.symbol = symbol
    }

    public var state: TradingState { rules.state }

    /// Whether the kill switch holds.
    public var isKilled: Bool { rules.isKilled }

    /// Engages the kill switch (see `RiskStateMachine.kill`); the change of trading state is an event at `time`.
    mutating func kill(reason: String, flatten: Bool, time: Int64) {
        killFlattens = flatten || rules.limits.flattenOnKill
        for action in rules.kill(reason: reason, flatten: flatten) {
            // The execution model cancels its own order and closes its own position.
            if case .stateChanged = action { record([action], time: time) }
        }
    }

    /// Lifts the kill switch (a daily-loss halt stays); the change of trading state is an event at `time`.
    mutating func resume(time: Int64) {
        killFlattens = false
        record(rules.resume(), time: time)
    }

    /// Before a bar executes: a new day restarts the daily loss from the equity the previous bar ended with.
    mutating func barOpening(time: Int64, equity: Double) {
        let today = Timestamps.dayIndex(time)
        guard today != day else { return }
        let first = day == .min
        day = today
        if !first { record(rules.newTradingDay(startOfDayEquity: equity), time: time) }
    }

    /// After a bar: the orders placed on the previous close are done (filled or not), its fills and its close
    /// reach the rules.
    mutating func barClosed(fills: [Fill], close: Double, time: Int64) {
        for id in submitted { rules.orderClosed(id) }
        submitted.removeAll()
        for fill in fills { record(rules.filled(fill), time: time) }
        record(rules.mark(symbol, price: close), time: time)
    }

    /// The signal to carry out instead of `signal`, after the orders it implies went through the rules.
    mutating func vet(_ signal: Signal, units: Double, equity: Double, close: Double, time: Int64) -> Signal {
        let current: Direction = units > 0 ? .long : (units < 0 ? .short : .flat)
        if flattenRequested {
            flattenRequested = false
            return Signal(direction: .flat, size: signal.size)   // the rules' own order: not vetted again
        }
        guard signal.direction != current else { return signal }
        if units != 0 {
            let close = order(side: units > 0 ? .sell : .buy, quantity: abs(units))
            guard pass(close, time: time) else { return Signal(direction: current, size: signal.size) }
        }
        guard signal.direction != .flat else { return signal }
        let quantity = PositionSizer.units(signal.size, equity: equity, price: close)
        let open = order(side: signal.direction == .long ? .buy : .sell, quantity: quantity)
        return pass(open, time: time) ? signal : Signal(direction: .flat, size: signal.size)
    }

    private mutating func order(side: OrderSide, quantity: Double) -> Order {
        orderCount += 1
        return Order(clientOrderID: "risk-check-\(orderCount)", symbol: symbol, side: side, quantity: quantity,
                     type: .market)
    }

    private mutating func pass(_ order: Order, time: Int64) -> Bool {
        var forwarded = false
        for action in rules.submit(order, at: time) {
            switch action {
            case .forward(let o):
                forwarded = true
                submitted.append(o.clientOrderID)
            case .deny(let d):
                events.append(Event(time: time, kind: "denied", rule: d.rule, detail: d.reason, denied: d))
            default:
                record([action], time: time)
            }
        }
        return forwarded
    }

    private mutating func record(_ actions: [RiskAction], time: Int64) {
        for action in actions {
            switch action {
            case .stateChanged(let state, let reason):
                events.append(Event(time: time, kind: "state", rule: state.rawValue, detail: reason))
            case .flatten:
                flattenRequested = true
            case .deny(let d):
                events.append(Event(time: time, kind: "denied", rule: d.rule, detail: d.reason, denied: d))
            case .forward, .cancel:
                break
            }
        }
    }
}
