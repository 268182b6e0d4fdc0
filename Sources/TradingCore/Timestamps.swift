/// Conversions between calendar date-times and the nanosecond timestamps used everywhere in TradeMesh.
///
/// Timestamps are nanoseconds since 1970-01-01T00:00:00 on the proleptic Gregorian calendar. Conversions are
/// pure arithmetic (no Foundation, no time-zone database, no wall clock) so that they are fast and deterministic.
public enum Timestamps {
    public static let nanosPerSecond: Int64 = 1_000_000_000
    public static let nanosPerDay: Int64 = 86_400 * nanosPerSecond

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    @inlinable
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    @inlinable
    public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The day index (days since 1970-01-01) that contains `time`.
    @inlinable
    public static func dayIndex(_ time: Int64) -> Int64 {
        let d = time / nanosPerDay
        return (time % nanosPerDay < 0) ? d - 1 : d
    }

    /// Formats a timestamp as `YYYY-MM-DDTHH:MM:SS`, with a fractional part only when it is not zero.
    public static func iso8601(_ time: Int64) -> String {
        let day = dayIndex(time)
        var rem = time - day * nanosPerDay
        let (y, m, d) = civilFromDays(Int(day))
        let hour = rem / (3600 * nanosPerSecond); rem -= hour * 3600 * nanosPerSecond
        let minute = rem / (60 * nanosPerSecond); rem -= minute * 60 * nanosPerSecond
        let second = rem / nanosPerSecond; rem -= second * nanosPerSecond
        var s = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(Int(hour), 2) + ":" + pad(Int(minute), 2)
            + ":" + pad(Int(second), 2)
        if rem != 0 {
            var frac = pad(Int(rem), 9)
            while frac.last == "0" { frac.removeLast() }
            s += "." + frac
        }
        return s
    }

    @usableFromInline
    static func pad(_ v: Int, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
