/// Whether orders may trade.
public enum TradingState: String, Sendable, Equatable {
    /// Everything the rules allow passes.
    case active = "ACTIVE"
    /// Only orders that reduce an open position pass.
    case reducing = "REDUCING"
    /// Nothing passes (daily loss limit, or the kill switch until an explicit resume).
    case halted = "HALTED"
}

/// A refused order: which rule, its limit, the value that broke it, and why in words.
public struct OrderDenied: Sendable, Equatable, CustomStringConvertible {
    public var order: Order
    public var rule: String
    public var limit: Double?
    public var observed: Double?
    public var reason: String

    public var description: String { "\(order.clientOrderID) \(order.side.rawValue) \(order.quantity) \(order.symbol): \(reason)" }

    public init(order: Order, rule: String, limit: Double?, observed: Double?, reason: String) {
        self.order = order
        self.rule = rule
        self.limit = limit
        self.observed = observed
        self.reason = reason
    }
}

/// What the risk layer asks its broker wrapper to do.
public enum RiskAction: Sendable, Equatable {
    case forward(Order)
    case deny(OrderDenied)
    /// Cancel these open orders (client order ids).
    case cancel([String])
    /// Close the whole position of a symbol with a market order of this side and quantity.
    case flatten(symbol: String, side: OrderSide, quantity: Double)
    case stateChanged(TradingState, reason: String)
}

/// The risk rules as a pure state machine: inputs are orders, fills, marks, day changes and kill/resume; outputs
/// are actions. No I/O and no clock: time comes with each input (nanoseconds). Rules: docs/risk.md.
public struct RiskStateMachine: Sendable {
    public let limits: RiskLimits
    public private(set) var state: TradingState = .active
    /// The kill switch: engaged by `kill`, lifted only by `resume`. The one kill switch of the system: the
    /// execution model (`ExecutionStream`, through `RiskGate`) and the broker wrapper both hold it here.
    public private(set) var isKilled = false
    private var startOfDayEquity: Double
    private var realizedToday = 0.0
    private var unrealizedAtDayStart = 0.0
    private var positions: [String: (units: Double, averagePrice: Double)] = [:]
    private var marks: [String: Double] = [:]
    private var openOrders: [String: Order] = [:]
    private var recentSubmissions: [Int64] = []

    public init(limits: RiskLimits, startOfDayEquity: Double) {
        self.limits = limits
        self.startOfDayEquity = startOfDayEquity
    }

    /// Signed units held in `symbol`.
    public func position(_ symbol: String) -> Double { positions[symbol]?.units ?? 0 }

    /// Realised today plus the change in unrealised PnL since the start of the day.
    public var dayPnL: Double { realizedToday + unrealized - unrealizedAtDayStart }

    private var unrealized: Double {
        positions.reduce(0) { sum, entry in sum + ((marks[entry.key] ?? entry.value.averagePrice) - entry.value.averagePrice) * entry.value.units }
    }

    /// Open orders, by client order id, in id order.
    public var openOrderIDs: [String] { openOrders.keys.sorted() }

    // MARK: Inputs

    /// An order wants to go to the broker.
    public mutating func submit(_ order: Order, at time: Int64) -> [RiskAction] {
        if let denial = check(order, at: time) { return [.deny(denial)] }
        recentSubmissions.append(time)
        openOrders[order.clientOrderID] = order
        return [.forward(order)]
    }

    /// The broker filled (all or part of) an order.
    public mutating func filled(_ fill: Fill) -> [RiskAction] {
        if var order = openOrders[fill.clientOrderID] {
            order.quantity -= fill.quantity
            openOrders[fill.clientOrderID] = order.quantity > 1e-12 ? order : nil
        }
        let signed = fill.side == .buy ? fill.quantity : -fill.quantity
        var p = positions[fill.symbol] ?? (0, 0)
        if p.units == 0 || (p.units > 0) == (signed > 0) {
            let units = p.units + signed
            p.averagePrice = (p.averagePrice * abs(p.units) + fill.price * abs(signed)) / abs(units)
            p.units = units
        } else {
            let closing = min(abs(signed), abs(p.units))
            realizedToday += (fill.price - p.averagePrice) * closing * (p.units > 0 ? 1 : -1)
            let units = p.units + signed
            if abs(units) < 1e-12 {
                p = (0, 0)
            } else if (units > 0) != (p.units > 0) {
                p = (units, fill.price)   // flipped: the remainder opened at the fill price
            } else {
                p.units = units
            }
        }
        realizedToday -= fill.cost
        positions[fill.symbol] = p.units == 0 ? nil : p
        marks[fill.symbol] = fill.price   // the latest traded price is the freshest mark
        return evaluateLoss()
    }

    /// The broker cancelled or rejected an order.
    public mutating func orderClosed(_ clientOrderID: String) {
        openOrders[clientOrderID] = nil
    }

    /// A new price for `symbol`.
    public mutating func mark(_ symbol: String, price: Double) -> [RiskAction] {
        marks[symbol] = price
        return evaluateLoss()
    }

    /// A new trading day: the daily loss restarts; a daily-loss halt or REDUCING lifts (a kill stays).
    public mutating func newTradingDay(startOfDayEquity equity: Double) -> [RiskAction] {
        startOfDayEquity = equity
        realizedToday = 0
        unrealizedAtDayStart = unrealized
        guard !isKilled, state != .active else { return [] }
        state = .active
        return [.stateChanged(.active, reason: "new trading day")]
    }

    /// Kill switch: cancel every open order, flatten when asked (`flatten`) or configured (`flatten_on_kill`),
    /// deny everything until `resume`.
    public mutating func kill(reason: String, flatten: Bool = false) -> [RiskAction] {
        isKilled = true
        var actions: [RiskAction] = []
        if state != .halted { actions.append(.stateChanged(.halted, reason: "kill switch: \(reason)")) }
        state = .halted
        actions += haltActions(flatten: flatten || limits.flattenOnKill)
        return actions
    }

    /// Lifts the kill switch (never a daily-loss halt, which lasts until the next day).
    public mutating func resume() -> [RiskAction] {
        guard isKilled else { return [] }
        isKilled = false
        if let limit = dailyLossLimit {
            if dayPnL <= -limit { return [] }
            if let share = limits.reducingAt, -dayPnL >= share * limit {
                state = .reducing
                return [.stateChanged(.reducing, reason: "resumed; the day's loss is past the reducing level")]
            }
        }
        state = .active
        return [.stateChanged(.active, reason: "resumed")]
    }

    // MARK: Rules

    private var dailyLossLimit: Double? {
        switch (limits.maxDailyLoss, limits.maxDailyLossFraction.map { $0 * startOfDayEquity }) {
        case (let a?, let b?): min(a, b)
        case (let a?, nil): a
        case (nil, let b?): b
        case (nil, nil): nil
        }
    }

    private mutating func evaluateLoss() -> [RiskAction] {
        guard let limit = dailyLossLimit, state != .halted else { return [] }
        let loss = -dayPnL
        if loss >= limit {
            state = .halted
            return [.stateChanged(.halted, reason: "daily loss \(loss) reached the limit \(limit)")]
                + haltActions(flatten: limits.flattenOnHalt)
        }
        if let share = limits.reducingAt, state == .active, loss >= share * limit {
            state = .reducing
            return [.stateChanged(.reducing, reason: "daily loss \(loss) reached \(share) of the limit \(limit)")]
        }
        return []
    }

    private mutating func haltActions(flatten: Bool) -> [RiskAction] {
        var actions: [RiskAction] = []
        let ids = openOrderIDs
        if !ids.isEmpty {
            actions.append(.cancel(ids))
            openOrders.removeAll()
        }
        if flatten {
            for symbol in positions.keys.sorted() {
                let units = positions[symbol]!.units
                actions.append(.flatten(symbol: symbol, side: units > 0 ? .sell : .buy, quantity: abs(units)))
            }
        }
        return actions
    }

    private mutating func check(_ order: Order, at time: Int64) -> OrderDenied? {
        func deny(_ rule: String, _ limit: Double?, _ observed: Double?, _ reason: String) -> OrderDenied {
            OrderDenied(order: order, rule: rule, limit: limit, observed: observed, reason: reason)
        }
        let current = position(order.symbol)
        let signed = order.side == .buy ? order.quantity : -order.quantity
        let after = current + signed
        let reducing = current != 0 && abs(after) < abs(current) && (after == 0 || (after > 0) == (current > 0))
        switch state {
        case .halted:
            return deny("halted", nil, nil, isKilled ? "kill switch is on; resume explicitly" : "daily loss limit reached; trading resumes next day")
        case .reducing where !reducing:
            return deny("reducing", nil, nil, "only orders that reduce a position are accepted (daily loss near its limit)")
        default:
            break
        }
        guard order.quantity > 0, order.quantity.isFinite else {
            return deny("quantity", nil, order.quantity, "quantity must be positive")
        }
        let price = order.price ?? marks[order.symbol]
        if let max = limits.maxOrderUnits, order.quantity > max {
            return deny("max_order_units", max, order.quantity, "order of \(order.quantity) units exceeds \(max)")
        }
        if let max = limits.maxOrderNotional {
            guard let price else { return deny("max_order_notional", max, nil, "no price known to value the order") }
            if order.quantity * price > max {
                return deny("max_order_notional", max, order.quantity * price, "order notional exceeds \(max)")
            }
        }
        if let max = limits.maxPositionUnits, abs(after) > max, !reducing {
            return deny("max_position_units", max, abs(after), "position would be \(abs(after)) units, above \(max)")
        }
        if let max = limits.maxPositionNotional, !reducing {
            guard let price else { return deny("max_position_notional", max, nil, "no price known to value the position") }
            if abs(after) * price > max {
                return deny("max_position_notional", max, abs(after) * price, "position notional would exceed \(max)")
            }
        }
        if let max = limits.maxOrdersPerMinute {
            recentSubmissions.removeAll { $0 <= time - 60_000_000_000 }
            if recentSubmissions.count >= max {
                return deny("max_orders_per_minute", Double(max), Double(recentSubmissions.count + 1),
                            "more than \(max) orders in 60 s")
            }
        }
        if let collar = limits.limitCollar, order.type == .limit, let limitPrice = order.price,
           let mark = marks[order.symbol], mark > 0 {
            let distance = abs(limitPrice - mark) / mark
            if distance > collar {
                return deny("limit_collar", collar, distance, "limit \(limitPrice) is \(distance) from the mark \(mark)")
            }
        }
        return nil
    }
}
