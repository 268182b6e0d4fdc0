/// The execution model, bar by bar (see docs/execution.md).
///
/// On each bar t: (1) an order decided on bar t−1's close fills at bar t's open; (2) an open position is checked
/// against its stop-loss and take-profit on bar t's range (a gap through a level fills at the open; the stop wins
/// when both are inside the bar); (3) the account is marked to bar t's close; (4) the daily loss cap is checked;
/// (5) the strategy decides on bar t's close. An order decided on the last bar never fills.
struct BacktestEngine<S: Strategy> {
    private var strategy: S
    private let settings: StrategySettings
    private let execution: ExecutionSettings

    // Account.
    private var cash: Double
    private var units = 0.0            // signed
    private var entryPrice = 0.0
    private var entryTime: Int64 = 0
    private var entryCost = 0.0
    private var stopLevel = 0.0
    private var targetLevel = 0.0

    // Pending order from the previous close.
    private var pending: Direction? = nil
    private var pendingSize: PositionSize = .units(0)
    private var pendingReason: FillReason = .signal

    // Daily loss cap.
    private var currentDay: Int64 = .min
    private var dayStartEquity: Double
    private var blockedDay: Int64 = .min

    private var result: BacktestResult

    init(strategy: S, settings: StrategySettings, execution: ExecutionSettings) {
        self.strategy = strategy
        self.settings = settings
        self.execution = execution
        self.cash = execution.initialCapital
        self.dayStartEquity = execution.initialCapital
        self.result = BacktestResult(initialCapital: execution.initialCapital)
    }

    private var direction: Direction { units > 0 ? .long : (units < 0 ? .short : .flat) }

    mutating func run(bars: BarSeries, predictedReturns: [Double]) -> BacktestResult {
        let n = bars.count
        result.equity.time = bars.time
        // The loop writes every element of the three columns, so they start uninitialised (no zero fill).
        var equityOut: [Double] = []
        var cashOut: [Double] = []
        var positionOut: [Double] = []
        equityOut = Array(unsafeUninitializedCapacity: n) { equityBuffer, equityCount in
            cashOut = Array(unsafeUninitializedCapacity: n) { cashBuffer, cashCount in
                positionOut = Array(unsafeUninitializedCapacity: n) { positionBuffer, positionCount in
                    run(bars: bars, predictedReturns: predictedReturns,
                        out: Outputs(equity: equityBuffer, cash: cashBuffer, position: positionBuffer))
                    positionCount = n
                }
                cashCount = n
            }
            equityCount = n
        }
        result.equity.equity = equityOut
        result.equity.cash = cashOut
        result.equity.position = positionOut
        return result
    }

    /// Where the per-bar account state is written.
    private struct Outputs {
        let equity: UnsafeMutableBufferPointer<Double>
        let cash: UnsafeMutableBufferPointer<Double>
        let position: UnsafeMutableBufferPointer<Double>
    }

    private mutating func run(bars: BarSeries, predictedReturns: [Double], out: Outputs) {
        let n = bars.count
        bars.time.withUnsafeBufferPointer { time in
            bars.open.withUnsafeBufferPointer { open in
                bars.high.withUnsafeBufferPointer { high in
                    bars.low.withUnsafeBufferPointer { low in
                        bars.close.withUnsafeBufferPointer { close in
                            bars.volume.withUnsafeBufferPointer { volume in
                                predictedReturns.withUnsafeBufferPointer { preds in
                                    loop(n: n, time: time, open: open, high: high, low: low, close: close,
                                         volume: volume, preds: preds, out: out)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private mutating func loop(n: Int, time: UnsafeBufferPointer<Int64>, open: UnsafeBufferPointer<Double>,
                               high: UnsafeBufferPointer<Double>, low: UnsafeBufferPointer<Double>,
                               close: UnsafeBufferPointer<Double>, volume: UnsafeBufferPointer<Double>,
                               preds: UnsafeBufferPointer<Double>, out: Outputs) {
        var sma = RollingSMA(period: settings.smaPeriod)
        var rsi = WilderRSI(period: 14)
        let usesIndicators = S.usesIndicators
        let hasStops = settings.stopLoss != nil || settings.takeProfit != nil
        let hasCap = execution.dailyLossCap != nil
        let equityOut = out.equity, cashOut = out.cash, positionOut = out.position
        var withoutPrediction = 0

        for t in 0..<n {
            let day = hasCap ? Timestamps.dayIndex(time[t]) : 0
            if hasCap && day != currentDay {
                currentDay = day
                dayStartEquity = t == 0 ? execution.initialCapital : equityOut[t - 1]
            }
            var enteredThisBar = false
            if let target = pending {
                pending = nil
                enteredThisBar = execute(target: target, size: pendingSize, reason: pendingReason,
                                         price: open[t], time: time[t])
            }
            if hasStops && units != 0 {
                checkExits(open: open[t], high: high[t], low: low[t], time: time[t], gapAllowed: !enteredThisBar)
            }

            let c = close[t]
            if t == n - 1 && execution.closeAtEnd && units != 0 {
                closePosition(price: fillPrice(c, buying: units < 0), time: time[t], reason: .end)
            }
            let equity = cash + units * c
            equityOut[t] = equity
            cashOut[t] = cash
            positionOut[t] = units

            let smaValue = usesIndicators ? sma.update(c) : nil
            let rsiValue = usesIndicators ? rsi.update(c) : nil
            if t == n - 1 { 
                if preds[t].isNaN { withoutPrediction += 1 }
                break
            }

            var forceFlat = false
            if hasCap, let cap = execution.dailyLossCap {
                if blockedDay == day {
                    forceFlat = true
                } else if dayStartEquity - equity >= cap * dayStartEquity {
                    blockedDay = day
                    result.dailyCapHits += 1
                    forceFlat = true
                }
            }

            let p = preds[t]
            if p.isNaN { withoutPrediction += 1 }
            let state = StrategyState(
                index: t, predictedReturn: p.isNaN ? nil : p, position: direction,
                indicators: Indicators(sma: smaValue, rsi: rsiValue),
                time: time, open: open, high: high, low: low, close: close, volume: volume)
            let signal = strategy.decide(state)
            if forceFlat {
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

        result.barsWithoutPrediction = withoutPrediction
        if units != 0, n > 0 {
            let mark = close[n - 1]
            let side: Direction = units > 0 ? .long : .short
            result.openPosition = OpenPosition(
                entryTime: entryTime, entryPrice: entryPrice, side: side, size: abs(units), markPrice: mark,
                unrealizedPnL: (mark - entryPrice) * units - entryCost)
        }
    }

    /// Price after slippage for a fill at `price`.
    @inline(__always)
    private func fillPrice(_ price: Double, buying: Bool) -> Double {
        let slip = execution.slippageBps / 10_000
        return buying ? price * (1 + slip) : price * (1 - slip)
    }

    /// Moves to `target` at the bar's open. Returns true if a new position was opened.
    private mutating func execute(target: Direction, size: PositionSize, reason: FillReason, price: Double,
                                  time: Int64) -> Bool {
        if units != 0 && target != direction {
            closePosition(price: fillPrice(price, buying: units < 0), time: time, reason: reason)
        }
        guard target != .flat, units == 0 else { return false }
        let buying = target == .long
        let px = fillPrice(price, buying: buying)
        let equity = cash
        let qty: Double
        switch size {
        case .units(let u): qty = u
        case .fraction(let f): qty = (f * equity / px).rounded(.down)
        }
        let notional = qty * px
        if !(qty > 0) || notional > execution.maxLeverage * equity * (1 + 1e-12) {
            result.rejectedOrders += 1
            return false
        }
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

    /// Checks stop-loss then take-profit on the bar's range; a gap through a level fills at the open.
    private mutating func checkExits(open: Double, high: Double, low: Double, time: Int64, gapAllowed: Bool) {
        let long = units > 0
        if settings.stopLoss != nil {
            let s = stopLevel
            if gapAllowed && (long ? open <= s : open >= s) {
                closePosition(price: fillPrice(open, buying: !long), time: time, reason: .stop)
                return
            }
            if long ? low <= s : high >= s {
                closePosition(price: fillPrice(s, buying: !long), time: time, reason: .stop)
                return
            }
        }
        if settings.takeProfit != nil {
            let g = targetLevel
            if gapAllowed && (long ? open >= g : open <= g) {
                closePosition(price: fillPrice(open, buying: !long), time: time, reason: .takeProfit)
                return
            }
            if long ? high >= g : low <= g {
                closePosition(price: fillPrice(g, buying: !long), time: time, reason: .takeProfit)
            }
        }
    }

    /// Closes the whole position at `price` (slippage already applied) and records the trade.
    private mutating func closePosition(price: Double, time: Int64, reason: FillReason) {
        let qty = abs(units)
        let cost = execution.perTradeCost
        let long = units > 0
        if long { cash += qty * price - cost } else { cash -= qty * price + cost }
        let gross = (price - entryPrice) * units
        let costs = entryCost + cost
        let pnl = gross - costs
        result.trades.append(Trade(
            entryTime: entryTime, entryPrice: entryPrice, exitTime: time, exitPrice: price,
            side: long ? .long : .short, size: qty, pnl: pnl, returnFraction: pnl / (entryPrice * qty),
            costs: costs, exitReason: reason))
        units = 0
    }
}
