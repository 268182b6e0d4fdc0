/// Deterministic fixed-decimal text for numbers written to CSV files.
///
/// The value is rounded to `decimals` places (half away from zero) and printed without exponent, so the text
/// is the same on every platform, and reading it back with `Double(text)` gives the nearest double to the
/// printed decimal: the written file, not the in-memory value, is the source of truth.
public enum FixedDecimal {
    /// `value` with exactly `decimals` digits after the point (0 ≤ decimals ≤ 15); no point when `decimals` is 0.
    /// Non-finite values and magnitudes beyond 2^63 / 10^decimals print as `nan`, `inf` or `-inf` / Swift's
    /// shortest round-trip form.
    public static func format(_ value: Double, decimals: Int) -> String {
        precondition((0...15).contains(decimals), "decimals must be in 0...15")
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let scale = powersOfTen[decimals]
        let scaled = (value * scale).rounded(.toNearestOrAwayFromZero)
        guard abs(scaled) < 9.2e18 else { return value.description }
        let units = Int64(scaled)
        return format(units: units, decimals: decimals)
    }

    /// The integer `units` read as a count of 10^-decimals, e.g. `format(units: 12345, decimals: 2)` is `123.45`.
    public static func format(units: Int64, decimals: Int) -> String {
        let negative = units < 0
        let magnitude = units.magnitude
        var digits = String(magnitude)
        if decimals > 0 {
            if digits.count <= decimals {
                digits = String(repeating: "0", count: decimals - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return negative && magnitude != 0 ? "-" + digits : digits
    }

    private static let powersOfTen: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ]
}
