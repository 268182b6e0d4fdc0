import Testing
import TestSupport
@testable import TradingCore
@testable import TradingRun

/// Accepted formats: time formats, header variants, BOM, CRLF, blank lines, daily and minute data.
@Suite struct GoodInputTests {
    private func time(_ text: String) throws -> Int64 { try #require(Timestamps.parse(text)) }

    private func load(_ name: String) throws -> BarLoadResult {
        try BarCSVLoader.load(path: DataFixtures.good(name), symbol: "X")
    }

    @Test func naiveISOTimesAreKeptAsWritten() throws {
        let result = try load("iso_naive.csv")
        #expect(result.series.time.map(Timestamps.iso8601) == [
            "2020-01-02T09:30:00", "2020-01-02T10:30:00", "2020-01-02T12:30:00",
        ])
        #expect(result.series.open == [10.0, 10.2, 10.4])
        #expect(result.series.high == [10.5, 10.8, 10.6])
        #expect(result.series.low == [9.5, 10.1, 10.3])
        #expect(result.series.close == [10.2, 10.6, 10.5])
        #expect(result.series.volume == [1000, 1200, 900])
        #expect(result.series.symbol == "X")
        #expect(result.skipped.isEmpty)
    }

    @Test func zuluAndOffsetsAreConvertedToUTC() throws {
        #expect(try load("iso_utc_z.csv").series.time == [try time("2020-01-02T14:30:00"), try time("2020-01-02T15:30:00")])
        #expect(try load("iso_offset.csv").series.time.map(Timestamps.iso8601) == [
            "2020-01-02T14:30:00", "2020-01-02T15:30:00", "2020-01-02T16:30:00",
        ])
    }

    @Test func fractionalSeconds() throws {
        let t = try load("fractional_seconds.csv").series.time
        #expect(t[0] == (try time("2020-01-02T09:30:00")) + 500_000_000)
        #expect(t[1] == (try time("2020-01-02T09:30:01")) + 123_456_789)
    }

    @Test func spaceSeparatedAndPandasUnnamedIndex() throws {
        let expected = [try time("2020-01-02T09:30:00"), try time("2020-01-02T10:30:00")]
        #expect(try load("space_separated.csv").series.time == expected)
        let pandas = try load("pandas_index.csv")
        #expect(pandas.series.time == expected)
        #expect(pandas.series.volume == [1000, 1200])
    }

    @Test func dailyBarsWithDateColumn() throws {
        let result = try load("daily.csv")
        #expect(result.series.time.map(Timestamps.iso8601) == [
            "2020-01-02T00:00:00", "2020-01-03T00:00:00", "2020-01-06T00:00:00",
        ])
        #expect(result.barsPerYear == 252)
    }

    @Test func minuteBarsWithLowercaseTimestampHeader() throws {
        let result = try load("minute.csv")
        #expect(result.series.count == 30)
        #expect(result.series.time[1] - result.series.time[0] == 60 * Timestamps.nanosPerSecond)
        #expect(result.barsPerYear == 30 * 252)
    }

    @Test func byteOrderMarkCRLFAndBlankTrailingLines() throws {
        let result = try load("bom_crlf.csv")
        #expect(result.series.count == 2)
        #expect(result.series.volume == [1000, 1200])
        #expect(try load("blank_trailing_lines.csv").series.count == 2)
        #expect(try load("no_final_newline.csv").series.count == 2)
    }

    @Test func columnsInAnyOrderAnyCaseWithExtraColumns() throws {
        let result = try load("reordered_extra_columns.csv")
        #expect(result.series.open == [10.0, 10.2])
        #expect(result.series.close == [10.2, 10.6])
        #expect(result.series.high == [10.5, 10.8])
        #expect(result.series.volume == [1000, 1200])
    }

    @Test func sampleDataLoads() throws {
        let result = try BarCSVLoader.load(path: DataFixtures.sample("NVDA_1h.csv"), symbol: "NVDA")
        #expect(result.series.count == 17_619)
        #expect(Timestamps.iso8601(result.series.time[0]) == "2015-01-02T09:30:00")
        #expect(Timestamps.iso8601(result.series.time[result.series.count - 1]) == "2024-12-31T15:30:00")
        #expect(abs(result.barsPerYear - 1_762) < 5)
    }

    /// Random series written with varying line endings, blank lines and field widths read back exactly
    /// (exercises the eight-bytes-at-a-time field scanner at every alignment).
    @Test func randomSeriesRoundTrip() throws {
        var rng = SeededRandom(seed: 3)
        for round in 0..<40 {
            let count = 1 + Int(rng.next() % 60)
            var bars: [Bar] = []
            var time = Int64(Timestamps.daysFromCivil(year: 2020, month: 1, day: 1)) * Timestamps.nanosPerDay
            for _ in 0..<count {
                time += Int64(1 + rng.next() % 100_000) * Timestamps.nanosPerSecond
                let open = Double(1 + rng.next() % 100_000) / 100
                let close = Double(1 + rng.next() % 100_000) / 100
                let high = max(open, close) + Double(rng.next() % 500) / 100
                let low = max(0.01, min(open, close) - Double(rng.next() % 500) / 100)
                bars.append(Bar(time: time, open: open, high: high, low: low, close: close,
                                volume: Double(rng.next() % 10_000_000)))
            }
            let newline = round % 2 == 0 ? "\n" : "\r\n"
            var text = "Time,Open,High,Low,Close,Volume" + newline
            for bar in bars {
                text += [Timestamps.iso8601(bar.time), bar.open.description, bar.high.description, bar.low.description,
                         bar.close.description, bar.volume.description].joined(separator: ",") + newline
                if rng.next() % 10 == 0 { text += newline }
            }
            if round % 3 == 0 { text.removeLast(newline.count) }
            let loaded = try BarCSVLoader.parse(text: text, file: "round\(round).csv", symbol: "R")
            #expect(loaded.series == BarSeries(symbol: "R", bars: bars), "round \(round)")
        }
    }
}
