import Foundation

/// The Diebold–Mariano test of equal predictive accuracy between two forecasters, on squared-error loss.
///
/// For one-step-ahead forecasts the loss difference `d[t] = e_a[t]² − e_b[t]²` is compared with zero:
/// `DM = mean(d) / sqrt(var(d) / T)`, with Harvey, Leybourne and Newbold's small-sample correction
/// `sqrt((T − 1) / T)` and a two-sided p-value from the standard normal. A negative statistic means `a` has the
/// smaller loss.
public struct DieboldMariano: Sendable, Equatable {
    /// Number of paired forecasts.
    public let count: Int
    /// Mean of `loss(a) − loss(b)`.
    public let meanLossDifference: Double
    /// The corrected statistic; nan when the loss difference has no variance (identical forecasts).
    public let statistic: Double
    /// Two-sided p-value of "equal accuracy"; 1 when the statistic is nan.
    public let pValue: Double

    /// Tests forecasts `a` against `b` of the same `actual` values.
    /// - Precondition: the three arrays have the same length.
    public init(a: [Double], b: [Double], actual: [Double]) {
        precondition(a.count == b.count && b.count == actual.count, "Diebold–Mariano: unequal lengths")
        let n = actual.count
        count = n
        guard n >= 2 else {
            meanLossDifference = .nan
            statistic = .nan
            pValue = 1
            return
        }
        var sum = 0.0
        var d = [Double](repeating: 0, count: n)
        for t in 0..<n {
            let ea = a[t] - actual[t], eb = b[t] - actual[t]
            d[t] = ea * ea - eb * eb
            sum += d[t]
        }
        let mean = sum / Double(n)
        var squares = 0.0
        for x in d { squares += (x - mean) * (x - mean) }
        let variance = squares / Double(n)
        meanLossDifference = mean
        guard variance > 0 else {
            statistic = .nan
            pValue = 1
            return
        }
        let raw = mean / (variance / Double(n)).squareRoot()
        let s = raw * (Double(n - 1) / Double(n)).squareRoot()
        statistic = s
        pValue = erfc(abs(s) / 2.0.squareRoot())
    }
}
