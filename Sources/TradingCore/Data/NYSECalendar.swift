/// The NYSE trading-day calendar computed by rule: weekdays minus the exchange's full-day holidays.
///
/// Holidays: New Year's Day, Martin Luther King Jr. Day (3rd Monday of January), Washington's Birthday
/// (3rd Monday of February), Good Friday (two days before Easter Sunday, by the Gregorian computus),
/// Memorial Day (last Monday of May), Juneteenth (June 19, from 2022), Independence Day, Labor Day
/// (1st Monday of September), Thanksgiving (4th Thursday of November) and Christmas. A fixed-date holiday on
/// a Saturday is observed the Friday before and on a Sunday the Monday after, except that New Year's Day on a
/// Saturday is not observed (the exchange does not close on the last trading day of the year).
///
/// One-off closures (national days of mourning, weather) and early closes are not modelled.
public enum NYSECalendar {
    /// Whether the exchange holds a regular session on the civil date.
    public static func isTradingDay(year: Int, month: Int, day: Int) -> Bool {
        let days = Timestamps.daysFromCivil(year: year, month: month, day: day)
        let weekday = weekday(ofDay: days)
        if weekday == 0 || weekday == 6 { return false }
        return !holidays(year: year).contains(days)
    }

    /// Every trading day in `first...last` (inclusive) as day indices (days since 1970-01-01), ascending.
    public static func tradingDays(from first: (year: Int, month: Int, day: Int),
                                   through last: (year: Int, month: Int, day: Int)) -> [Int] {
        let start = Timestamps.daysFromCivil(year: first.year, month: first.month, day: first.day)
        let end = Timestamps.daysFromCivil(year: last.year, month: last.month, day: last.day)
        guard start <= end else { return [] }
        var result: [Int] = []
        var holidayYear = Int.min
        var holidaySet: Set<Int> = []
        for days in start...end {
            let weekday = weekday(ofDay: days)
            if weekday == 0 || weekday == 6 { continue }
            let year = Timestamps.civilFromDays(days).year
            if year != holidayYear {
                holidayYear = year
                holidaySet = holidays(year: year)
            }
            if !holidaySet.contains(days) { result.append(days) }
        }
        return result
    }

    /// The day indices on which the exchange is closed for a holiday in `year` (observed dates).
    public static func holidays(year: Int) -> Set<Int> {
        var result: Set<Int> = []
        // New Year's Day: Sunday → Monday; Saturday → not observed.
        let newYear = Timestamps.daysFromCivil(year: year, month: 1, day: 1)
        switch weekday(ofDay: newYear) {
        case 0: result.insert(newYear + 1)
        case 6: break
        default: result.insert(newYear)
        }
        result.insert(nthWeekday(3, weekday: 1, year: year, month: 1))   // Martin Luther King Jr. Day
        result.insert(nthWeekday(3, weekday: 1, year: year, month: 2))   // Washington's Birthday
        result.insert(easterSunday(year: year) - 2)                      // Good Friday
        result.insert(lastWeekday(1, year: year, month: 5))              // Memorial Day
        if year >= 2022 { result.insert(observed(year: year, month: 6, day: 19)) }  // Juneteenth
        result.insert(observed(year: year, month: 7, day: 4))            // Independence Day
        result.insert(nthWeekday(1, weekday: 1, year: year, month: 9))   // Labor Day
        result.insert(nthWeekday(4, weekday: 4, year: year, month: 11))  // Thanksgiving
        result.insert(observed(year: year, month: 12, day: 25))          // Christmas
        return result
    }

    /// Easter Sunday of `year` as a day index (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
    public static func easterSunday(year: Int) -> Int {
        let a = year % 19
        let b = year / 100
        let c = year % 100
        let d = b / 4
        let e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4
        let k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return Timestamps.daysFromCivil(year: year, month: month, day: day)
    }

    /// Day of the week of a day index: 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
    public static func weekday(ofDay days: Int) -> Int {
        let w = (days + 4) % 7
        return w < 0 ? w + 7 : w
    }

    /// The fixed-date holiday moved off the weekend: Saturday → Friday before, Sunday → Monday after.
    private static func observed(year: Int, month: Int, day: Int) -> Int {
        let days = Timestamps.daysFromCivil(year: year, month: month, day: day)
        switch weekday(ofDay: days) {
        case 6: return days - 1
        case 0: return days + 1
        default: return days
        }
    }

    /// The `n`-th given weekday (0 = Sunday) of a month.
    private static func nthWeekday(_ n: Int, weekday target: Int, year: Int, month: Int) -> Int {
        let first = Timestamps.daysFromCivil(year: year, month: month, day: 1)
        let offset = (target - weekday(ofDay: first) + 7) % 7
        return first + offset + 7 * (n - 1)
    }

    /// The last given weekday (0 = Sunday) of a month.
    private static func lastWeekday(_ target: Int, year: Int, month: Int) -> Int {
        let nextMonthFirst = month == 12
            ? Timestamps.daysFromCivil(year: year + 1, month: 1, day: 1)
            : Timestamps.daysFromCivil(year: year, month: month + 1, day: 1)
        let last = nextMonthFirst - 1
        let back = (weekday(ofDay: last) - target + 7) % 7
        return last - back
    }
}
