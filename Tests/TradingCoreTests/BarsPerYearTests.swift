import Testing
@testable import TradingCore

@Suite struct BarsPerYearTests {
    private let hour = 3600 * Timestamps.nanosPerSecond

    private func day(_ y: Int, _ m: Int, _ d: Int) -> Int64 {
        Int64(Timestamps.daysFromCivil(year: y, month: m, day: d)) * Timestamps.nanosPerDay
    }

    @Test func longSpansUseBarsOverYears() {
        let days = NYSECalendar.tradingDays(from: (2019, 1, 1), through: (2020, 12, 31))
        let daily = days.map { Int64($0) * Timestamps.nanosPerDay }
        #expect(abs(BarsPerYear.infer(times: daily) - 252.5) < 1.5)
        let hourly = (0..<(24 * 365 * 2)).map { day(2020, 1, 1) + Int64($0) * hour }
        #expect(abs(BarsPerYear.infer(times: hourly) - 8766) < 15)
    }

    @Test func shortFilesUseBarsPerDayTimesDaysPerYear() {
        // One week of US-session hourly bars (Monday to Friday): 7 a day × 252.
        let week = (0..<5).flatMap { d in (0..<7).map { day(2020, 1, 6) + Int64(d) * Timestamps.nanosPerDay + Int64($0) * hour } }
        #expect(BarsPerYear.infer(times: week) == 7 * 252)
        // Round-the-clock bars over a weekend: 24 a day × 365.25.
        let crypto = (0..<72).map { day(2020, 1, 3) + Int64($0) * hour }
        #expect(BarsPerYear.infer(times: crypto) == 24 * 365.25)
    }

    @Test func degenerateInputs() {
        #expect(BarsPerYear.infer(times: []) == 252)
        #expect(BarsPerYear.infer(times: [day(2020, 1, 2)]) == 252)
    }
}
