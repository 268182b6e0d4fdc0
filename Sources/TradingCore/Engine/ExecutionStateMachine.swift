/// The execution model as a state machine, one bar at a time (rules: docs/execution.md).
///
/// The in-process engine drives it over arrays; a live or replayed execution service drives it bar by bar from
/// the bus. Both therefore fill, stop out and account identically. It never reads a clock: time comes with each
/// bar. Per bar, call `barOpened`, then `barClosed`, then (except on the last bar) `decide` with the strategy's
/// signal on that close; after the last bar, `finish` applies `closeAtEnd`.
///
/// Every trade is an order sent to an `ExecutionVenue` — the `FillModel` in the engine, a `Broker` in the
/// execution service — and the account moves by the fills the venue reports.
public struct ExecutionStateMachine: Sendable {
    public let settings: StrategySettings
    public let execution: ExecutionSettings
    /// The prices simulated fills get (slippage); also what an entry is sized against.
    public let fillModel: FillModel

    /// Cash, after costs.
    public private(set) var cash: Double
    /// Signed units held.
    public private(set) var units = 0.0
    public private(set) var entryPrice = 0.0
    public private(set) var entryTime: Int64 = 0
    private var entryCost = 0.0
    private var stopLevel = 0.0
    private var targetLevel = 0.0

    private var pending: Direction? = nil
    private var pendingSize: PositionSize = .units(0)
    private var pendingReason: FillReason = .signal

    private let hasStops: Bool
    private let hasCap: Bool
    private var currentDay: Int64 = .min
    private var dayStartEquity: Double
    private var lastEquity: Double
    private var blockedDay: Int64 = .min
    private var entriesBlocked = false

    /// Closed round trips, in order.
    public private(set) var trades: [Trade] = []
    /// Entries refused for buying power or a zero size.
    public private(set) var rejectedOrders = 0
    /// Days on which the daily loss cap fired.
    public private(set) var dailyCapHits = 0

    public init(settings: StrategySettings, execution: ExecutionSettings) {
        self.settings = settings
        self.execution = execution
        cash = execution.initialCapital
        dayStartEquity = execution.initialCapital
        lastEquity = execution.initialCapital
        hasStops = settings.stopLoss != nil || settings.takeProfit != nil
        hasCap = execution.dailyLossCap != nil
        fillModel = FillModel(slippageBps: execution.slippageBps)
    }

    /// The direction of the position held.
    public var direction: Direction { units > 0 ? .long : (units < 0 ? .short : .flat) }

    /// A bar opens: the order decided on the previous close fills at `open`, then an open position is checked
    /// against its stop-loss and take-profit on the bar's range.
    @inline(__always)
    public mutating func barOpened(time: Int64, open: Double, high: Double, low: Double) {
        var venue = fillModel
        barOpened(time: time, open: open, high: high, low: low, venue: &venue)
    }

    /// `barOpened`, with the orders sent to `venue`.
    @inline(__always)
    public mutating func barOpened<Venue: ExecutionVenue>(time: Int64, open: Double, high: Double, low: Double,
                                                          venue: inout Venue) {
        if hasCap {
            let day = Timestamps.dayIndex(time)
            if day != currentDay {
                currentDay = day
                dayStartEquity = lastEquity
            }
        }
        var enteredThisBar = false
        if let target = pending {
            pending = nil
            enteredThisBar = execute(target: target, size: pendingSize, reason: pendingReason, price: open, time: time,
                                     venue: &venue)
        }
        if hasStops && units != 0 {
            checkExits(open: open, high: high, low: low, time: time, gapAllowed: !enteredThisBar, venue: &venue)
        }
    }

    /// The bar closes: the account is marked to `close` and the daily loss cap checked. Returns the marked equity.
    @inline(__always)
    public mutating func barClosed(time: Int64, close: Double) -> Double {
        let equity = cash + units * close
        lastEquity = equity
        entriesBlocked = false
        if hasCap, let cap = execution.dailyLossCap {
            if blockedDay == currentDay {
                entriesBlocked = true
            } else if dayStartEquity - equity >= cap * dayStartEquity {
                blockedDay = currentDay
                dailyCapHits += 1
                entriesBlocked = true
            }
        }
        return equity
    }

    /// After the last bar: with `closeAtEnd`, a position still open is closed at that bar's `close` (with
    /// slippage and costs). Returns the equity the last bar ends with.
    public mutating func finish(time: Int64, close: Double) -> Double {
        var venue = fillModel
        return finish(time: time, close: close, venue: &venue)
    }

    /// `finish`, with the closing order sent to `venue`.
    public mutating func finish<Venue: ExecutionVenue>(time: Int64, close: Double, venue: inout Venue) -> Double {
        if execution.closeAtEnd && units != 0 && exit(.market, at: close, reason: .end, time: time, venue: &venue) {
            lastEquity = cash
        }
        return lastEquity
    }

    /// The strategy's signal on this close. A new direction becomes an order for the next bar's open; while the
    /// daily loss cap blocks the day, the position is flattened instead and no entry is accepted.
    @inline(__always)
    public mutating func decide(_ signal: Signal) {
        if entriesBlocked {
            if units != 0 {
                pending = .flat
                pendingReason = .dailyCap
            }
        } else if signal.direction != direction {
            pending = signal.direction
            pendingSize = signal.size
            pendingReason = .signal
        }
    }

    /// Drops the order decided on the last close, if any (the kill switch cancels open orders); returns what it
    /// asked for.
    @discardableResult
    public mutating func cancelPending() -> Signal? {
        defer { pending = nil }
        return pending.map { Signal(direction: $0, size: pendingSize) }
    }

    /// Closes the position at the next open, for `reason` (the kill switch's flatten), whatever was decided.
    public mutating func flatten(reason: FillReason) {
        guard units != 0 else { return }
        pending = .flat
        pendingSize = .units(abs(units))
        pendingReason = reason
    }

    /// Whether an order decided on the last close waits for the next open.
    public var hasPendingOrder: Bool { pending != nil }

    /// The position still open, marked to `mark`, or nil when flat.
    public func openPosition(mark: Double) -> OpenPosition? {
        guard units != 0 else { return nil }
        return OpenPosition(entryTime: entryTime, entryPrice: entryPrice, side: units > 0 ? .long : .short,
                            size: abs(units), markPrice: mark, unrealizedPnL: (mark - entryPrice) * units - entryCost)
    }

    /// Moves to `target` at the bar's open. Returns true if a new position was opened.
    @inline(__always)
    private mutating func execute<Venue: ExecutionVenue>(target: Direction, size: PositionSize, reason: FillReason,
                                                         price: Double, time: Int64, venue: inout Venue) -> Bool {
        if units != 0 && target != direction {
            _ = exit(.market, at: price, reason: reason, time: time, venue: &venue)
        }
        guard target != .flat, units == 0 else { return false }
        let buying = target == .long
        // Sized against the price the fill model expects; the account moves by the price actually filled.
        let expected = fillModel.price(price, buying: buying)
        let equity = cash
        let qty = PositionSizer.units(size, equity: equity, price: expected)
        if !(qty > 0) || qty * expected > execution.maxLeverage * equity * (1 + 1e-12) {
            rejectedOrders += 1
            return false
        }
        guard let px = venue.execute(OrderTicket(side: buying ? .buy : .sell, quantity: qty, type: .market,
                                                 price: price, reason: reason)) else {
            rejectedOrders += 1
            return false
        }
        let notional = qty * px
        let cost = execution.perTradeCost
        if buying {
            cash -= notional + cost
            units = qty
        } else {
            cash += notional - cost
            units = -qty
        }
        entryPrice = px
        entryTime = time
        entryCost = cost
        if let sl = settings.stopLoss { stopLevel = buying ? px * (1 - sl) : px * (1 + sl) }
        if let tp = settings.takeProfit { targetLevel = buying ? px * (1 + tp) : px * (1 - tp) }
        return true
    }

    /// Checks stop-loss then take-profit on the bar's range: a gap through a level exits at the open (a market
    /// order), a level reached inside the bar exits at the level (a stop order, or a limit order for the target).
    @inline(__always)
    private mutating func checkExits<Venue: ExecutionVenue>(open: Double, high: Double, low: Double, time: Int64,
                                                            gapAllowed: Bool, venue: inout Venue) {
        let long = units > 0
        if settings.stopLoss != nil {
            let s = stopLevel
            if gapAllowed && (long ? open <= s : open >= s) {
                if exit(.market, at: open, reason: .stop, time: time, venue: &venue) { return }
            } else if long ? low <= s : high >= s {
                if exit(.stop, at: s, reason: .stop, time: time, venue: &venue) { return }
            }
        }
        if settings.takeProfit != nil {
            let g = targetLevel
            if gapAllowed && (long ? open >= g : open <= g) {
                _ = exit(.market, at: open, reason: .takeProfit, time: time, venue: &venue)
            } else if long ? high >= g : low <= g {
                _ = exit(.limit, at: g, reason: .takeProfit, time: time, venue: &venue)
            }
        }
    }

    /// Sends the order closing the whole position; on its fill, closes the position. Returns whether it filled.
    @inline(__always)
    private mutating func exit<Venue: ExecutionVenue>(_ type: OrderType, at price: Double, reason: FillReason,
                                                      time: Int64, venue: inout Venue) -> Bool {
        guard let px = venue.execute(OrderTicket(side: units > 0 ? .sell : .buy, quantity: abs(units), type: type,
                                                 price: price, reason: reason)) else { return false }
        closePosition(price: px, time: time, reason: reason)
        return true
    }

    /// Closes the whole position at `price` (slippage already applied) and records the trade.
    private mutating func closePosition(price: Double, time: Int64, reason: FillReason) {
        let qty = abs(units)
        let cost = execution.perTradeCost
        let long = units > 0
        if long { cash += qty * price - cost } else { cash -= qty * price + cost }
        let costs = entryCost + cost
        let pnl = (price - entryPrice) * units - costs
        trades.append(Trade(
            entryTime: entryTime, entryPrice: entryPrice, exitTime: time, exitPrice: price,
            side: long ? .long : .short, size: qty, pnl: pnl, returnFraction: pnl / (entryPrice * qty),
            costs: costs, exitReason: reason))
        units = 0
    }
}
