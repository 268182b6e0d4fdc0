import Foundation
import TradingCore

/// Computes the model's features one bar at a time: the single feature code path behind training
/// (`FeatureMatrix`), offline prediction and the live prediction service.
///
/// Appending bar t yields the feature row of bar t from bars `0…t` only; recursive features (RSI, MACD's EMAs)
/// carry their state forward, windowed ones look back over the kept history. A row computed here is bit for bit
/// the row `FeatureMatrix` holds for the same bar of the same series.
public struct FeatureStream: Sendable {
    public let features: [Feature]
    /// Values per row.
    public let columns: Int
    /// The first row (bar index) where every feature is defined.
    public let warmUp: Int
    /// Bars appended so far.
    public private(set) var count = 0

    private var close: [Double] = []
    private var volume: [Double] = []
    private var logReturns: [Double] = []
    private var states: [State]

    /// Running state of a recursive feature.
    private enum State: Sendable {
        case stateless
        case rsi(WilderRSI)
        case macd(fast: StreamingEMA, slow: StreamingEMA, signal: StreamingEMA)
    }

    public init(features: [Feature]) {
        self.features = features
        columns = features.reduce(0) { $0 + $1.width }
        warmUp = features.map(\.warmUp).max() ?? 0
        states = features.map { feature in
            switch feature {
            case .rsi(let p): .rsi(WilderRSI(period: p))
            case .macd(let f, let s, let g):
                .macd(fast: StreamingEMA(period: f, start: 0), slow: StreamingEMA(period: s, start: 0),
                      signal: StreamingEMA(period: g, start: s - 1))
            default: .stateless
            }
        }
    }

    /// Appends the next bar and writes its feature row (`columns` values; NaN during a feature's warm-up)
    /// into `row` starting at `offset`.
    public mutating func append(_ bar: Bar, into row: inout [Double], at offset: Int = 0) {
        let t = count
        close.append(bar.close)
        volume.append(bar.volume)
        logReturns.append(t > 0 ? log(bar.close / close[t - 1]) : .nan)
        count += 1
        var column = offset
        for k in features.indices {
            switch features[k] {
            case .logReturn:
                row[column] = logReturns[t]
            case .volatility(let w):
                row[column] = t >= w ? Self.sampleSD(logReturns[(t - w + 1)...t]) : .nan
            case .smaRatio(let w):
                row[column] = t >= w - 1 ? bar.close / Self.mean(close[(t - w + 1)...t]) - 1 : .nan
            case .rsi:
                guard case .rsi(var rsi) = states[k] else { preconditionFailure("feature state out of step") }
                row[column] = rsi.update(bar.close).map { $0 / 100 } ?? .nan
                states[k] = .rsi(rsi)
            case .macd(_, let slow, let signal):
                guard case .macd(var fast, var slowEMA, var signalEMA) = states[k] else {
                    preconditionFailure("feature state out of step")
                }
                let f = fast.update(bar.close, at: t)
                let s = slowEMA.update(bar.close, at: t)
                let line = t >= slow - 1 ? f - s : .nan
                let signalLine = signalEMA.update(line, at: t)
                states[k] = .macd(fast: fast, slow: slowEMA, signal: signalEMA)
                if t >= slow + signal - 2 {
                    row[column] = line / bar.close
                    row[column + 1] = signalLine / bar.close
                    row[column + 2] = (line - signalLine) / bar.close
                } else {
                    row[column] = .nan
                    row[column + 1] = .nan
                    row[column + 2] = .nan
                }
            case .bollingerPercentB(let w):
                if t >= w - 1 {
                    let window = close[(t - w + 1)...t]
                    let m = Self.mean(window), sd = Self.populationSD(window)
                    row[column] = sd > 0 ? (bar.close - (m - 2 * sd)) / (4 * sd) : 0.5
                } else {
                    row[column] = .nan
                }
            case .volumeZScore(let w):
                if t >= w - 1 {
                    let window = volume[(t - w + 1)...t]
                    let sd = Self.sampleSD(window)
                    row[column] = sd > 0 ? (bar.volume - Self.mean(window)) / sd : 0
                } else {
                    row[column] = .nan
                }
            case .hourOfDay:
                let secondsOfDay = Double(bar.time - Timestamps.dayIndex(bar.time) * Timestamps.nanosPerDay)
                    / Double(Timestamps.nanosPerSecond)
                let angle = 2 * Double.pi * secondsOfDay / 86_400
                row[column] = sin(angle)
                row[column + 1] = cos(angle)
            case .dayOfWeek:
                // 1970-01-01 was a Thursday: day 0 → 3 with Monday = 0.
                let dow = Double((Timestamps.dayIndex(bar.time) + 3) % 7)
                let angle = 2 * Double.pi * dow / 7
                row[column] = sin(angle)
                row[column + 1] = cos(angle)
            }
            column += features[k].width
        }
    }

    static func mean(_ x: ArraySlice<Double>) -> Double { x.reduce(0, +) / Double(x.count) }

    static func sampleSD(_ x: ArraySlice<Double>) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
    }

    static func populationSD(_ x: ArraySlice<Double>) -> Double {
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }
}

/// An exponential moving average fed one value at a time, seeded with the simple average of its first `period`
/// values from index `start` (values before `start` are ignored); NaN until seeded.
struct StreamingEMA: Sendable {
    let period: Int
    let start: Int
    private let k: Double
    private var seed: [Double] = []
    private var value = Double.nan

    init(period: Int, start: Int) {
        self.period = period
        self.start = start
        k = 2 / Double(period + 1)
    }

    /// Feeds the value of index `t` and returns the average at `t`.
    mutating func update(_ x: Double, at t: Int) -> Double {
        guard t >= start else { return .nan }
        if t < start + period - 1 {
            seed.append(x)
            return .nan
        }
        if t == start + period - 1 {
            seed.append(x)
            value = FeatureStream.mean(seed[...])
            seed = []
            return value
        }
        value += k * (x - value)
        return value
    }
}
