import Foundation
import Testing
import TestSupport
@testable import TradingCore
@testable import TradingRun

@Suite struct SampleDataTests {
    @Test(.timeLimit(.minutes(1)))
    func regeneratingGivesTheCommittedBytes() throws {
        let sample = SampleDataGenerator(seed: 42).generate()
        let bars = try Data(contentsOf: URL(fileURLWithPath: DataFixtures.sample("NVDA_1h.csv")))
        let predictions = try Data(contentsOf: URL(fileURLWithPath: DataFixtures.sample("NVDA_1h_predictions.csv")))
        #expect(Array(sample.barsCSV().utf8) == Array(bars))
        #expect(Array(sample.predictionsCSV().utf8) == Array(predictions))
    }

    @Test func loadedFileEqualsGeneratedValues() throws {
        let sample = SampleDataGenerator(seed: 42).generate()
        let loaded = try BarCSVLoader.load(path: DataFixtures.sample("NVDA_1h.csv"), symbol: "NVDA").series
        #expect(loaded == sample.bars)
    }

    @Test func otherSeedsDiffer() {
        let a = SampleDataGenerator(seed: 1, lastDay: (2015, 3, 31)).generate()
        let b = SampleDataGenerator(seed: 2, lastDay: (2015, 3, 31)).generate()
        #expect(a.bars.time == b.bars.time)
        #expect(a.bars.close != b.bars.close)
        #expect(a.predictions.count == a.bars.count - 1)
    }

    @Test func fixedDecimalFormatting() {
        #expect(FixedDecimal.format(123.456, decimals: 2) == "123.46")
        #expect(FixedDecimal.format(0.05, decimals: 2) == "0.05")
        #expect(FixedDecimal.format(-0.00123, decimals: 8) == "-0.00123000")
        #expect(FixedDecimal.format(-0.000000001, decimals: 8) == "0.00000000")
        #expect(FixedDecimal.format(1_234_567, decimals: 0) == "1234567")
        #expect(FixedDecimal.format(.nan, decimals: 2) == "nan")
    }
}

@Suite struct NYSECalendarTests {
    private func open(_ y: Int, _ m: Int, _ d: Int) -> Bool { NYSECalendar.isTradingDay(year: y, month: m, day: d) }

    @Test func easter() {
        for (year, month, day) in [(2016, 3, 27), (2019, 4, 21), (2024, 3, 31), (2000, 4, 23), (2038, 4, 25)] {
            #expect(NYSECalendar.easterSunday(year: year) == Timestamps.daysFromCivil(year: year, month: month, day: day))
        }
    }

    @Test func holidaysAndObservance() {
        #expect(!open(2015, 4, 3))    // Good Friday
        #expect(!open(2022, 6, 20))   // Juneteenth (Sunday) observed Monday
        #expect(open(2021, 6, 18))    // no Juneteenth before 2022
        #expect(!open(2021, 7, 5))    // July 4 (Sunday) observed Monday
        #expect(!open(2020, 7, 3))    // July 4 (Saturday) observed Friday
        #expect(open(2021, 12, 31))   // New Year's Day on a Saturday is not observed
        #expect(!open(2023, 1, 2))    // New Year's Day (Sunday) observed Monday
        #expect(!open(2022, 12, 26))  // Christmas (Sunday) observed Monday
        #expect(!open(2024, 11, 28))  // Thanksgiving
        #expect(!open(2024, 1, 15))   // Martin Luther King Jr. Day
        #expect(!open(2024, 2, 19))   // Washington's Birthday
        #expect(!open(2024, 5, 27))   // Memorial Day
        #expect(!open(2024, 9, 2))    // Labor Day
        #expect(!open(2024, 1, 6))    // Saturday
        #expect(open(2024, 1, 5))
    }

    @Test func tradingDaysPerYear() {
        let counts = [2019: 252, 2020: 253, 2022: 251, 2023: 250, 2024: 252]
        for (year, expected) in counts.sorted(by: { $0.key < $1.key }) {
            #expect(NYSECalendar.tradingDays(from: (year, 1, 1), through: (year, 12, 31)).count == expected, "\(year)")
        }
    }
}
