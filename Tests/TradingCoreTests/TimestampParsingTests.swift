import Testing
@testable import TradingCore

@Suite struct TimestampParsingTests {
    @Test func acceptedForms() {
        let base = Int64(Timestamps.daysFromCivil(year: 2020, month: 1, day: 2)) * Timestamps.nanosPerDay
        let s = Timestamps.nanosPerSecond
        let cases: [(String, Int64)] = [
            ("2020-01-02", base),
            ("2020-01-02T09:30", base + (9 * 3600 + 30 * 60) * s),
            ("2020-01-02T09:30:15", base + (9 * 3600 + 30 * 60 + 15) * s),
            ("2020-01-02 09:30:15", base + (9 * 3600 + 30 * 60 + 15) * s),
            ("2020-01-02T09:30:15.25", base + (9 * 3600 + 30 * 60 + 15) * s + 250_000_000),
            ("2020-01-02T09:30:15Z", base + (9 * 3600 + 30 * 60 + 15) * s),
            ("2020-01-02T09:30:00-05:00", base + (14 * 3600 + 30 * 60) * s),
            ("2020-01-02T09:30:00+0530", base + (4 * 3600) * s),
            ("2020-01-02T01:00:00+02", base - 3600 * s),
            ("2020-01-02T09:30:00+00:00", base + (9 * 3600 + 30 * 60) * s),
            (" 2020-01-02 ", base),
        ]
        for (text, expected) in cases {
            #expect(Timestamps.parse(text) == expected, "\(text)")
        }
    }

    @Test func rejectedForms() {
        for text in ["", "abc", "2020-1-2", "2020/01/02", "2020-13-01", "2020-02-30", "2021-02-29", "2020-01-02T24:00:00",
                     "2020-01-02T09:60:00", "2020-01-02T09:30:61", "2020-01-02T09:30:00.", "2020-01-02T09:30:00+5",
                     "2020-01-02X09:30:00", "2020-01-02T09:30:00 EST", "1577957400"] {
            #expect(Timestamps.parse(text) == nil, "\(text)")
        }
    }

    @Test func leapDayAndRoundTripWithFormatter() throws {
        let t = try #require(Timestamps.parse("2024-02-29T23:59:59.000000001"))
        #expect(Timestamps.iso8601(t) == "2024-02-29T23:59:59.000000001")
        for day in stride(from: -30_000, to: 30_000, by: 37) {
            let time = Int64(day) * Timestamps.nanosPerDay + 12_345 * Timestamps.nanosPerSecond
            #expect(Timestamps.parse(Timestamps.iso8601(time)) == time)
        }
    }
}
