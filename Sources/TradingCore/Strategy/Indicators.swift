/// Simple moving average over a fixed window, updated in O(1) per value with a ring buffer.
public struct RollingSMA: Sendable {
    public let period: Int
    private var window: [Double]
    private var next = 0
    private var filled = 0
    private var sum = 0.0

    public init(period: Int) {
        self.period = max(1, period)
        self.window = Array(repeating: 0, count: max(1, period))
    }

    /// Adds a value and returns the average once `period` values have been seen.
    public mutating func update(_ value: Double) -> Double? {
        push(value)
        return filled == period ? sum / Double(period) : nil
    }

    private mutating func push(_ value: Double) {
        if filled == period { sum -= window[next] } else { filled += 1 }
        window[next] = value
        sum += value
        next += 1
        if next == period { next = 0 }
    }
}

/// Wilder's relative strength index.
public struct WilderRSI: Sendable {
    public let period: Int
    private var previous: Double?
    private var seen = 0
    private var avgGain = 0.0
    private var avgLoss = 0.0

    public init(period: Int) {
        self.period = max(1, period)
    }

    /// Adds a close and returns the RSI once `period` changes have been seen.
    public mutating func update(_ close: Double) -> Double? {
        guard let prev = previous else {
            previous = close
            return nil
        }
        previous = close
        let change = close - prev
        let gain = change > 0 ? change : 0
        let loss = change < 0 ? -change : 0
        seen += 1
        let p = Double(period)
        if seen <= period {
            avgGain += gain / p
            avgLoss += loss / p
            if seen < period { return nil }
        } else {
            avgGain = (avgGain * (p - 1) + gain) / p
            avgLoss = (avgLoss * (p - 1) + loss) / p
        }
        if avgLoss == 0 { return avgGain == 0 ? 50 : 100 }
        return 100 - 100 / (1 + avgGain / avgLoss)
    }
}

/// The indicators a strategy sees, updated close by close: the one place their periods are set, used by the
/// in-process engine and by the strategy service alike.
public struct IndicatorTracker: Sendable {
    /// The period of the RSI strategies see (Wilder's 14).
    public static let rsiPeriod = 14
    private var sma: RollingSMA
    private var rsi = WilderRSI(period: rsiPeriod)

    public init(smaPeriod: Int) {
        sma = RollingSMA(period: smaPeriod)
    }

    /// Adds a close; returns the indicators on it.
    public mutating func update(_ close: Double) -> Indicators {
        Indicators(sma: sma.update(close), rsi: rsi.update(close))
    }
}
