import TradingCore

/// Times as TWS writes them, in UTC: `yyyymmdd hh:mm:ss UTC`, from epoch seconds.
enum TWSSimTime {
    /// `20250102 09:30:00 UTC`.
    static func text(_ epochSeconds: Int64) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let seconds = Int(epochSeconds - days * 86_400)
        let (year, month, day) = Timestamps.civilFromDays(Int(days))
        return String(year) + twoDigits(month) + twoDigits(day) + " " + twoDigits(seconds / 3600) + ":"
            + twoDigits(seconds / 60 % 60) + ":" + twoDigits(seconds % 60) + " UTC"
    }

    /// Reads `yyyymmdd hh:mm:ss UTC`, `yyyymmdd-hh:mm:ss` (UTC) or `yyyymmdd hh:mm:ss` (taken as UTC); nil for
    /// anything else, including other time zones.
    static func parse(_ text: String) -> Int64? {
        var body = Substring(text)
        if body.hasSuffix(" UTC") { body = body.dropLast(4) }
        let digits = body.filter { $0.isNumber }
        func number(_ offset: Int, _ count: Int) -> Int? { Int(digits.dropFirst(offset).prefix(count)) }
        guard body.count == 17, digits.count == 14, let year = number(0, 4), let month = number(4, 2),
              let day = number(6, 2), let hour = number(8, 2), let minute = number(10, 2),
              let second = number(12, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        let days = Timestamps.daysFromCivil(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0" + String(value) : String(value)
    }
}
