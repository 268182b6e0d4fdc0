/// Infers how many bars make a year from a series' timestamps, to annualise returns and volatility.
///
/// The rule:
/// - fewer than two bars: 252 (one bar per trading day);
/// - the first and last bar at least 90 days apart: bars ÷ span in years (span = last − first, a year being
///   365.25 days). Calendar gaps (weekends, holidays, nights) are counted in the span, so this gives the real
///   rate: about 1,764 for US-session hourly bars, 252 for daily stock bars, 8,766 for round-the-clock hourly;
/// - a shorter file: bars per calendar day that has data × days per year, where days per year is 365.25 if any
///   bar falls on a Saturday or Sunday (a market that trades every day) and 252 otherwise. A single session of
///   390 one-minute bars gives 390 × 252 = 98,280.
public enum BarsPerYear {
    public static let tradingDaysPerYear = 252.0
    public static let calendarDaysPerYear = 365.25
    /// Minimum span, in days, for the bars ÷ span rule.
    public static let minimumSpanDays = 90.0

    public static func infer(times: [Int64]) -> Double {
        guard times.count >= 2, let first = times.first, let last = times.last, last > first else {
            return tradingDaysPerYear
        }
        let spanDays = Double(last - first) / Double(Timestamps.nanosPerDay)
        if spanDays >= minimumSpanDays {
            return Double(times.count) / (spanDays / calendarDaysPerYear)
        }
        var distinctDays = 0
        var previousDay = Int64.min
        var tradesOnWeekends = false
        for time in times {
            let day = Timestamps.dayIndex(time)
            if day != previousDay {
                distinctDays += 1
                previousDay = day
                let weekday = NYSECalendar.weekday(ofDay: Int(day))
                if weekday == 0 || weekday == 6 { tradesOnWeekends = true }
            }
        }
        let barsPerDay = Double(times.count) / Double(distinctDays)
        return barsPerDay * (tradesOnWeekends ? calendarDaysPerYear : tradingDaysPerYear)
    }
}
