/// Conversions between calendar date-times and the nanosecond timestamps used everywhere in TradeMesh.
///
/// Timestamps are nanoseconds since 1970-01-01T00:00:00 on the proleptic Gregorian calendar. Conversions are
/// pure arithmetic (no Foundation, no time-zone database, no wall clock) so that they are fast and deterministic.
public enum Timestamps {
    public static let nanosPerSecond: Int64 = 1_000_000_000
    public static let nanosPerDay: Int64 = 86_400 * nanosPerSecond

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
    @inlinable @inline(__always)
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

extension Timestamps {
    /// Parses a date or date-time into nanoseconds since 1970-01-01T00:00:00.
    ///
    /// Accepted: `YYYY-MM-DD` (midnight), `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS` and the same with a space
    /// instead of `T`, an optional fraction of a second (`.` or `,`, up to 9 digits are kept), and an optional
    /// zone: `Z`, `±HH:MM`, `±HHMM` or `±HH`. A time with a zone is converted to UTC; a time without one is kept
    /// as written. Returns nil for anything else, including impossible dates (2021-02-29) and times (24:00).
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return parse(base, 0, buffer.count)
        }
    }

    /// `parse(_:)` over `bytes[start..<end]`; ASCII spaces around the value are ignored.
    @inlinable
    public static func parse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        var i = start
        var e = end
        while i < e && bytes[i] == 0x20 { i += 1 }
        while e > i && bytes[e - 1] == 0x20 { e -= 1 }
        guard e - i >= 10, bytes[i + 4] == 0x2D, bytes[i + 7] == 0x2D,
              let year = digits(bytes, i, 4), let month = digits(bytes, i + 5, 2), let day = digits(bytes, i + 8, 2),
              month >= 1, month <= 12, day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        let dayCount = Int64(daysFromCivil(year: year, month: month, day: day))
        i += 10
        if i == e { return dayCount * nanosPerDay }
        // Time of day.
        let separator = bytes[i]
        guard separator == 0x54 || separator == 0x20 || separator == 0x74, e - i >= 6, bytes[i + 3] == 0x3A,
              let hour = digits(bytes, i + 1, 2), let minute = digits(bytes, i + 4, 2), hour < 24, minute < 60
        else { return nil }
        i += 6
        var second = 0
        var fraction: Int64 = 0
        if i < e && bytes[i] == 0x3A {
            guard e - i >= 3, let s = digits(bytes, i + 1, 2), s < 60 else { return nil }
            second = s
            i += 3
            if i < e && (bytes[i] == 0x2E || bytes[i] == 0x2C) {
                i += 1
                var scale: Int64 = 100_000_000
                var sawDigit = false
                while i < e {
                    let d = bytes[i] &- 0x30
                    guard d < 10 else { break }
                    sawDigit = true
                    fraction += Int64(d) * scale
                    scale /= 10
                    i += 1
                }
                guard sawDigit else { return nil }
            }
        }
        var offsetSeconds = 0
        if i < e {
            let z = bytes[i]
            if z == 0x5A || z == 0x7A {
                i += 1
            } else if z == 0x2B || z == 0x2D {
                let sign = z == 0x2D ? -1 : 1
                guard e - i >= 3, let offsetHours = digits(bytes, i + 1, 2), offsetHours <= 23 else { return nil }
                i += 3
                var offsetMinutes = 0
                if i < e {
                    if bytes[i] == 0x3A { i += 1 }
                    guard e - i >= 2, let m = digits(bytes, i, 2), m < 60 else { return nil }
                    offsetMinutes = m
                    i += 2
                }
                offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
            } else {
                return nil
            }
        }
        guard i == e else { return nil }
        let secondsOfDay = Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        return dayCount * nanosPerDay + secondsOfDay * nanosPerSecond + fraction
    }

    /// Number of days in a month of the proleptic Gregorian calendar.
    @inlinable
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The non-negative integer written with exactly `count` ASCII digits at `bytes[at...]`, or nil.
    @inlinable @inline(__always)
    public static func digits(_ bytes: UnsafePointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        var value = 0
        for k in 0..<count {
            let d = bytes[at + k] &- 0x30
            guard d < 10 else { return nil }
            value = value * 10 + Int(d)
        }
        return value
    }
}
