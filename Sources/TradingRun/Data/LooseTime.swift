import TradingCore
/// Parses the non-ISO time forms a detected `CSVTimeEncoding` names, straight from bytes.
///
/// Dates are `yyyyMMdd`, `yyyy-MM-dd`, `yyyy.MM.dd` or `yyyy/MM/dd` (year first only: a day-first or
/// month-first date is ambiguous and is refused by the detection); clocks are `HH:mm`, `HH:mm:ss` or
/// `HH:mm:ss.fff`. Results are nanoseconds since 1970-01-01T00:00:00, like `Timestamps.parse`.
enum LooseTime {
    /// A date, optionally followed by spaces (or `T`, or `-`) and a clock, optionally followed by spaces and `zone`.
    static func parse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, zone: [UInt8]) -> Int64? {
        var i = start
        var e = end
        trim(bytes, &i, &e)
        guard let days = date(bytes, &i, e) else { return nil }
        if i == e { return days * Timestamps.nanosPerDay }
        let clockStart = i
        // `T`, IBKR's `-` (`20230103-14:30:00`, its UTC form) or spaces between date and clock.
        if bytes[i] == 0x54 || bytes[i] == 0x2D { i += 1 } else { while i < e && bytes[i] == 0x20 { i += 1 } }
        guard i > clockStart, let nanos = clock(bytes, &i, e) else { return nil }
        if i < e {
            // A zone name: the one detected on the first row, after at least one space.
            guard bytes[i] == 0x20, !zone.isEmpty else { return nil }
            while i < e && bytes[i] == 0x20 { i += 1 }
            guard e - i == zone.count else { return nil }
            for k in 0..<zone.count where bytes[i + k] != zone[k] { return nil }
            i = e
        } else if !zone.isEmpty {
            return nil
        }
        return days * Timestamps.nanosPerDay + nanos
    }

    /// A date field plus a separate clock field (`HH:mm[:ss]`); the date may also be ISO.
    static func parse(date bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, clockStart: Int, clockEnd: Int)
        -> Int64?
    {
        var i = start
        var e = end
        trim(bytes, &i, &e)
        guard let days = date(bytes, &i, e), i == e else { return nil }
        var c = clockStart
        var ce = clockEnd
        trim(bytes, &c, &ce)
        guard let nanos = clock(bytes, &c, ce), c == ce else { return nil }
        return days * Timestamps.nanosPerDay + nanos
    }

    /// Whole seconds (`scale` 1e9) or milliseconds (`scale` 1e6) since the epoch, as nanoseconds.
    @inline(__always)
    static func parseEpoch(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, scale: Int64) -> Int64? {
        var i = start
        var e = end
        trim(bytes, &i, &e)
        guard i < e, e - i <= 15 else { return nil }
        var value: Int64 = 0
        while i < e {
            let d = bytes[i] &- 0x30
            guard d < 10 else { return nil }
            value = value * 10 + Int64(d)
            i += 1
        }
        return value * scale
    }

    /// Whether `text` is a clock, `HH:mm[:ss[.fff]]` (a separate time-of-day column).
    static func isClock(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return false }
            var i = 0
            var e = buffer.count
            trim(base, &i, &e)
            return clock(base, &i, e) != nil && i == e
        }
    }

    /// `parse` over a String (detection and tests).
    static func parse(_ text: String, zone: String?) -> Int64? {
        var text = text
        let zoneBytes = Array((zone ?? "").utf8)
        return text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return parse(base, 0, buffer.count, zone: zoneBytes)
        }
    }

    @inline(__always)
    private static func trim(_ bytes: UnsafePointer<UInt8>, _ i: inout Int, _ e: inout Int) {
        while i < e && bytes[i] == 0x20 { i += 1 }
        while e > i && bytes[e - 1] == 0x20 { e -= 1 }
    }

    /// `yyyyMMdd` or `yyyy?MM?dd` with `?` one of `-`, `.`, `/`; days since 1970-01-01.
    private static func date(_ bytes: UnsafePointer<UInt8>, _ i: inout Int, _ e: Int) -> Int64? {
        guard e - i >= 8, let year = Timestamps.digits(bytes, i, 4) else { return nil }
        let separator = bytes[i + 4]
        let month: Int, day: Int
        if separator == 0x2D || separator == 0x2E || separator == 0x2F {
            guard e - i >= 10, bytes[i + 7] == separator, let m = Timestamps.digits(bytes, i + 5, 2),
                  let d = Timestamps.digits(bytes, i + 8, 2) else { return nil }
            month = m
            day = d
            i += 10
        } else {
            guard let m = Timestamps.digits(bytes, i + 4, 2), let d = Timestamps.digits(bytes, i + 6, 2) else {
                return nil
            }
            month = m
            day = d
            i += 8
        }
        guard month >= 1, month <= 12, day >= 1, day <= Timestamps.daysInMonth(year: year, month: month) else {
            return nil
        }
        return Int64(Timestamps.daysFromCivil(year: year, month: month, day: day))
    }

    /// `HH:mm`, `HH:mm:ss` or `HH:mm:ss.fff` (up to 9 fraction digits kept); nanoseconds of the day.
    private static func clock(_ bytes: UnsafePointer<UInt8>, _ i: inout Int, _ e: Int) -> Int64? {
        guard e - i >= 5, bytes[i + 2] == 0x3A, let hour = Timestamps.digits(bytes, i, 2),
              let minute = Timestamps.digits(bytes, i + 3, 2), hour < 24, minute < 60 else { return nil }
        i += 5
        var second = 0
        var fraction: Int64 = 0
        if i < e && bytes[i] == 0x3A {
            guard e - i >= 3, let s = Timestamps.digits(bytes, i + 1, 2), s < 60 else { return nil }
            second = s
            i += 3
            if i < e && bytes[i] == 0x2E {
                i += 1
                var scale: Int64 = 100_000_000
                let fractionStart = i
                while i < e, bytes[i] &- 0x30 < 10 {
                    fraction += Int64(bytes[i] &- 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > fractionStart else { return nil }
            }
        }
        return Int64(hour * 3600 + minute * 60 + second) * Timestamps.nanosPerSecond + fraction
    }
}
