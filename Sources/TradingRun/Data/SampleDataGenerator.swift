import TradingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generates the bundled synthetic sample data: an NVDA-like hourly bar series over US session hours and a
/// matching file of cached predictions. Same seed → byte-identical CSV text.
///
/// The bars:
/// - one bar per hour of the regular session, stamped at the bar's start in New York time, written naive:
///   09:30, 10:30, …, 15:30 (the last bar covers the closing half hour), on NYSE trading days (`NYSECalendar`);
/// - log returns with GARCH(1,1)-style volatility clustering, an intraday U-shaped volatility profile, an
///   overnight gap on each session's first bar, occasional jumps (earnings-like gaps overnight, smaller ones
///   intraday), and a constant drift chosen so that the path runs from `startPrice` to `endPrice`;
/// - prices in whole cents; `Open` of a session's later bars is the previous `Close`; `High`/`Low` extend
///   beyond the body by a random fraction of the bar's volatility, so OHLC is always consistent;
/// - volume in shares, U-shaped over the session, higher when volatility or the bar's move is larger.
///
/// The predictions: at bar t (for every bar but the last) `predicted_return = 0.1 × (r + 15σ × z)`, where r is
/// the true next-bar return `Close[t+1]/Close[t] − 1`, σ the next bar's model volatility and z a standard
/// normal draw; `predicted_price = Close[t] × (1 + predicted_return)`. That is a noisy but informative signal
/// (correlation with the true return about 0.09, roughly what a useful real model reaches), nothing more.
public struct SampleDataGenerator: Sendable {
    public var seed: UInt64
    public var firstDay: (year: Int, month: Int, day: Int)
    public var lastDay: (year: Int, month: Int, day: Int)
    public var startPrice: Double
    public var endPrice: Double

    /// The sample as shipped: seed 42, 2015-01-02 … 2024-12-31, from $5 to $250.
    public init(seed: UInt64 = 42, firstDay: (year: Int, month: Int, day: Int) = (2015, 1, 2),
                lastDay: (year: Int, month: Int, day: Int) = (2024, 12, 31), startPrice: Double = 5,
                endPrice: Double = 250) {
        self.seed = seed
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.startPrice = startPrice
        self.endPrice = endPrice
    }

    /// The generated bars and predictions.
    public struct Sample: Sendable {
        public var bars: BarSeries
        public var predictions: [Prediction]

        /// The bars as `Time,Open,High,Low,Close,Volume` CSV: naive ISO-8601 times, prices with 2 decimals,
        /// volume as an integer, `\n` line endings.
        public func barsCSV() -> String {
            var out = "Time,Open,High,Low,Close,Volume\n"
            out.reserveCapacity(bars.count * 56)
            for i in 0..<bars.count {
                out += Timestamps.iso8601(bars.time[i])
                for price in [bars.open[i], bars.high[i], bars.low[i], bars.close[i]] {
                    out += ","
                    out += FixedDecimal.format(price, decimals: 2)
                }
                out += ","
                out += FixedDecimal.format(bars.volume[i], decimals: 0)
                out += "\n"
            }
            return out
        }

        /// The predictions as `Time,predicted_price,predicted_return` CSV: price with 4 decimals, return with 8.
        public func predictionsCSV() -> String {
            var out = "Time,predicted_price,predicted_return\n"
            out.reserveCapacity(predictions.count * 52)
            for p in predictions {
                out += Timestamps.iso8601(p.time)
                out += ","
                out += FixedDecimal.format(p.predictedPrice, decimals: 4)
                out += ","
                out += FixedDecimal.format(p.predictedReturn, decimals: 8)
                out += "\n"
            }
            return out
        }
    }

    // Model constants (per hourly bar unless stated).
    private static let barsPerSession = 7
    private static let firstBarMinute = 9 * 60 + 30
    private static let baseVolatility = 0.0085
    private static let overnightVolatility = 0.012
    private static let intradayVolatilityProfile: [Double] = [1.6, 1.1, 0.9, 0.8, 0.85, 1.0, 1.3]
    private static let intradayVolumeProfile: [Double] = [1.9, 1.1, 0.85, 0.75, 0.8, 1.0, 1.7]
    private static let garchAlpha = 0.06
    private static let garchBeta = 0.92
    private static let overnightJumpProbability = 0.016
    private static let overnightJumpVolatility = 0.06
    private static let intradayJumpProbability = 0.001
    private static let intradayJumpVolatility = 0.02
    private static let baseVolume = 3_000_000.0
    private static let predictionSignalFraction = 0.1
    private static let predictionNoiseRatio = 15.0

    /// Generates the sample. Pure: no clock, no global randomness.
    public func generate() -> Sample {
        var rng = SeededRandom(seed: seed)
        let days = NYSECalendar.tradingDays(from: firstDay, through: lastDay)
        let n = days.count * Self.barsPerSession
        guard n > 0 else { return Sample(bars: BarSeries(symbol: "NVDA"), predictions: []) }

        // 1. Shocks: log return, model volatility, wick and volume draws per bar.
        var logReturn = [Double](repeating: 0, count: n)
        var sigma = [Double](repeating: 0, count: n)
        var variance = 1.0  // GARCH state, unconditional mean 1
        var lastShock = 0.0
        for i in 0..<n {
            let slot = i % Self.barsPerSession
            variance = (1 - Self.garchAlpha - Self.garchBeta) + Self.garchAlpha * lastShock * lastShock * variance
                + Self.garchBeta * variance
            let scale = variance.squareRoot()
            let barSigma = Self.baseVolatility * Self.intradayVolatilityProfile[slot] * scale
            let z = rng.nextNormal()
            var r = barSigma * z
            if rng.nextUniform() < Self.intradayJumpProbability {
                r += Self.intradayJumpVolatility * rng.nextNormal()
            }
            if slot == 0 && i > 0 {
                r += Self.overnightVolatility * scale * rng.nextNormal()
                if rng.nextUniform() < Self.overnightJumpProbability {
                    r += Self.overnightJumpVolatility * rng.nextNormal()
                }
            }
            logReturn[i] = r
            sigma[i] = barSigma
            lastShock = z
        }
        // 2. Drift: a constant per bar so that the path ends at `endPrice`.
        let total = logReturn.reduce(0, +)
        let drift = (log(endPrice / startPrice) - total) / Double(n)

        // 3. Prices in cents, OHLC, volume.
        var bars = BarSeries(symbol: "NVDA")
        bars.reserveCapacity(n)
        var logClose = log(startPrice)
        var previousCloseCents = Self.cents(startPrice)
        for i in 0..<n {
            let slot = i % Self.barsPerSession
            let day = days[i / Self.barsPerSession]
            let minute = Self.firstBarMinute + 60 * slot
            let time = Int64(day) * Timestamps.nanosPerDay + Int64(minute) * 60 * Timestamps.nanosPerSecond
            let r = logReturn[i] + drift
            // The session's first bar opens after the overnight gap; later bars open at the previous close.
            let openLog = slot == 0 && i > 0 ? logClose + (r - Self.intradayPart(r, sigma[i])) : logClose
            logClose += r
            let openCents = slot == 0 && i > 0 ? Self.cents(exp(openLog)) : previousCloseCents
            let closeCents = Self.cents(exp(logClose))
            let bodyHigh = max(openCents, closeCents)
            let bodyLow = min(openCents, closeCents)
            let upWick = abs(rng.nextNormal()) * 0.5 * sigma[i]
            let downWick = abs(rng.nextNormal()) * 0.5 * sigma[i]
            let highCents = max(bodyHigh, Self.cents(Double(bodyHigh) / 100 * exp(upWick)))
            let lowCents = max(1, min(bodyLow, Self.cents(Double(bodyLow) / 100 * exp(-downWick))))
            let activity = 0.6 + 0.4 * abs(r) / sigma[i]
            let volume = (Self.baseVolume * Self.intradayVolumeProfile[slot] * (sigma[i] / Self.baseVolatility)
                .squareRoot() * activity * exp(0.3 * rng.nextNormal())).rounded()
            bars.append(Bar(time: time, open: Double(openCents) / 100, high: Double(highCents) / 100,
                            low: Double(lowCents) / 100, close: Double(closeCents) / 100, volume: volume))
            previousCloseCents = closeCents
        }

        // 4. Predictions for every bar but the last.
        var predictions: [Prediction] = []
        predictions.reserveCapacity(n - 1)
        for i in 0..<(n - 1) {
            let trueNext = bars.close[i + 1] / bars.close[i] - 1
            let noisy = Self.predictionSignalFraction
                * (trueNext + Self.predictionNoiseRatio * sigma[i + 1] * rng.nextNormal())
            let predictedReturn = Self.roundTo(noisy, decimals: 8)
            let predictedPrice = Self.roundTo(bars.close[i] * (1 + predictedReturn), decimals: 4)
            predictions.append(Prediction(time: bars.time[i], predictedPrice: predictedPrice,
                                          predictedReturn: predictedReturn))
        }
        return Sample(bars: bars, predictions: predictions)
    }

    /// The part of a session's first-bar return treated as intraday (the rest is the overnight gap): the share
    /// explained by the bar's own volatility, capped at the whole return.
    private static func intradayPart(_ r: Double, _ barSigma: Double) -> Double {
        let share = barSigma * barSigma / (barSigma * barSigma + overnightVolatility * overnightVolatility)
        return r * share
    }

    private static func cents(_ price: Double) -> Int {
        max(1, Int((price * 100).rounded(.toNearestOrAwayFromZero)))
    }

    /// `value` rounded to `decimals` places, as the double nearest to that decimal (what a reader parses).
    private static func roundTo(_ value: Double, decimals: Int) -> Double {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        return (value * scale).rounded(.toNearestOrAwayFromZero) / scale
    }
}
