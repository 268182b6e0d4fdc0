import Testing
import TestSupport
@testable import TradingCore
@testable import TradingRun

/// The layouts real exporters write (yfinance, Interactive Brokers, MetaTrader, spreadsheets, Binance, Alpha
/// Vantage): each is read with what was detected said in `format.notes`, or refused with a message saying how to
/// fix the file.
@Suite(.timeLimit(.minutes(1))) struct FileShapeTests {
    private func load(_ name: String, onBadRow: BadRowPolicy = .fail) throws -> BarLoadResult {
        try BarCSVLoader.load(path: DataFixtures.good(name), symbol: "X", onBadRow: onBadRow)
    }

    private func times(_ result: BarLoadResult) -> [String] { result.series.time.map(Timestamps.iso8601) }

    private func refusal(_ name: String) throws -> DataLoadError {
        try #require(throws: DataLoadError.self) {
            try BarCSVLoader.load(path: DataFixtures.bad(name), symbol: "X")
        }
    }

    @Test func yfinanceThreeHeaderRows() throws {
        let daily = try load("yfinance_daily.csv")
        #expect(times(daily) == ["2024-01-02T00:00:00", "2024-01-03T00:00:00", "2024-01-04T00:00:00"])
        #expect(daily.series.open == [185.79, 183.12, 181.09])
        #expect(daily.series.close == [184.29, 182.91, 180.59])
        #expect(daily.series.volume == [82_488_700, 58_414_500, 71_983_600])
        #expect(daily.format.notes == ["yfinance export (header rows Price/Ticker/Date, ticker AAPL)"])
        let hourly = try load("yfinance_hourly.csv")
        #expect(times(hourly) == ["2024-01-02T14:30:00", "2024-01-02T15:30:00"])
        #expect(hourly.series.close == [370.5, 369.8])
        #expect(hourly.format.summary.contains("ticker MSFT"))
    }

    @Test func yfinanceWithSeveralTickersIsRefusedWithTheConversion() throws {
        let error = try refusal("yfinance_two_tickers.csv")
        #expect(error.issue.line == 2)
        #expect(error.issue.message.contains("several tickers (AAPL, MSFT)"))
        #expect(error.issue.message.contains("df.xs('AAPL', axis=1, level=1).to_csv('AAPL.csv')"))
    }

    @Test func interactiveBrokersTimes() throws {
        let bars = try load("ibkr_bars.csv")
        #expect(times(bars) == ["2017-04-19T09:00:00", "2017-04-19T10:00:00", "2017-04-19T11:00:00"])
        #expect(bars.series.volume == [1203, 987, 1104])
        #expect(bars.format.time == .loose(zone: nil))
        let zoned = try load("ibkr_bars_zone.csv")
        #expect(times(zoned) == ["2023-01-03T09:30:00", "2023-01-03T10:30:00"])
        #expect(zoned.format.time == .loose(zone: "US/Eastern"))
        #expect(zoned.format.summary.contains("in zone US/Eastern (kept as written"))
        let utc = try BarCSVLoader.parse(text: "date,open,high,low,close,volume\n20230103-14:30:00,1,1,1,1,1\n",
                                         file: "utc.csv", symbol: "X")
        #expect(times(utc) == ["2023-01-03T14:30:00"])
        let daily = try load("ibkr_daily.csv")
        #expect(times(daily) == ["2017-04-18T00:00:00", "2017-04-19T00:00:00"])
    }

    @Test func aZoneThatChangesBetweenRowsIsABadRow() throws {
        let error = try refusal("ibkr_mixed_zones.csv")
        #expect(error.isRowError)
        #expect(error.issue.line == 3)
        #expect(error.issue.message.contains("in zone US/Eastern"))
    }

    @Test func semicolonsAndDecimalCommas() throws {
        let bars = try load("semicolon_decimal_comma.csv")
        #expect(bars.series.open == [1.12124, 1.12166])
        #expect(bars.series.high == [1.12226, 1.12300])
        #expect(bars.format.notes == ["separator ';'", "decimal comma"])
    }

    @Test func thousandsSeparatorsAreRefusedWithTheConversion() throws {
        let error = try refusal("thousands_separators.csv")
        #expect(error.issue.line == 2)
        #expect(error.issue.message.contains("thousands separators are not supported"))
        #expect(error.issue.message.contains("sep=';', decimal=',', thousands='.'"), "\(error)")
    }

    @Test func metaTraderTabsAngleBracketsAndDateTimeColumns() throws {
        let bars = try load("metatrader5.csv")
        #expect(times(bars) == ["2020-01-02T09:00:00", "2020-01-02T10:00:00"])
        #expect(bars.series.close == [1.12166, 1.12250])
        #expect(bars.series.volume == [0, 0], "VOL is preferred to TICKVOL")
        #expect(bars.format.notes == ["separator tab", "separate date and time columns", "Volume from column VOL"])
        #expect(bars.format.columns.first == "Time = \"DATE\" (field 1) + \"TIME\" (field 2)")
        let split = try load("date_and_time_columns.csv")
        #expect(times(split) == ["2020-01-02T09:30:00", "2020-01-02T10:30:00"])
    }

    @Test func metaTrader4HistoryWithoutHeaderIsRefusedWithTheHeaderToAdd() throws {
        let error = try refusal("no_header_metatrader4.csv")
        #expect(error.issue.message.contains("the first line looks like data"))
        #expect(error.issue.message.contains("sed -i '1i Date,Time,Open,High,Low,Close,Volume'"))
    }

    @Test func quotedFields() throws {
        let bars = try load("quoted.csv")
        #expect(times(bars) == ["2020-01-02T09:30:00", "2020-01-02T10:30:00"])
        #expect(bars.series.open == [10.0, 10.2])
        #expect(bars.series.volume == [1000, 1200])
        #expect(bars.format.notes == ["quoted fields"])
    }

    @Test func epochSecondsAndMilliseconds() throws {
        let seconds = try load("epoch_seconds.csv")
        #expect(times(seconds) == ["2020-01-02T09:30:00", "2020-01-02T10:30:00"])
        #expect(seconds.format.time == .epochSeconds)
        let millis = try load("epoch_milliseconds.csv")
        #expect(times(millis) == ["2020-01-01T00:00:00", "2020-01-01T01:00:00"])
        #expect(millis.format.time == .epochMilliseconds)
        #expect(millis.series.volume == [511.814901, 883.052603])
    }

    @Test func anAmbiguousNumberForATimeIsRefusedWithTheConversion() throws {
        let error = try refusal("epoch_ambiguous.csv")
        #expect(error.issue.message.contains("cannot tell what time 1234567 is"))
        #expect(error.issue.message.contains("pd.to_datetime"))
    }

    @Test func dayFirstDatesAreRefusedWithTheConversion() throws {
        let error = try refusal("day_first.csv")
        #expect(error.issue.message.contains("day-first or month-first date"))
        #expect(error.issue.message.contains("dayfirst=True"))
    }

    @Test func noVolumeColumn() throws {
        let bars = try load("fx_no_volume.csv")
        #expect(bars.series.volume == [0, 0])
        #expect(bars.series.close == [1.10400, 1.10445])
        #expect(bars.format.notes == ["no Volume column (Volume 0)"])
        #expect(bars.format.columns.last == "Volume = none")
    }

    @Test(arguments: [BadRowPolicy.fail, .skip])
    func newestFirstIsRecognisedAndReversed(_ policy: BadRowPolicy) throws {
        let bars = try load("newest_first.csv", onBadRow: policy)
        #expect(bars.skipped.isEmpty)
        #expect(bars.series.count == 30)
        #expect(times(bars).first == "2024-01-02T04:00:00")
        #expect(times(bars).last == "2024-01-03T09:00:00")
        #expect(bars.series.time == bars.series.time.sorted())
        #expect(bars.series.open.first == 100.0)
        #expect(bars.series.volume.first == 1000)
        #expect(bars.format.newestFirst)
        #expect(bars.format.notes == ["newest first (rows reversed to oldest first)"])
        #expect(bars.barsPerYear == (try load("newest_first.csv")).barsPerYear)
    }

    @Test func aRowOutOfPlaceInANewestFirstFileIsNamed() throws {
        let text = "Time,Open,High,Low,Close,Volume\n2020-01-03,1,1,1,1,1\n2020-01-02,1,1,1,1,1\n"
            + "2020-01-01,1,1,1,1,1\n2020-01-05,1,1,1,1,1\n"
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.parse(text: text, file: "f.csv", symbol: "X")
        }
        #expect(error.issue.line == 5)
        #expect(error.issue.message.contains("is later than line 4's 2020-01-01T00:00:00; the file is newest first"))
        let skipped = try BarCSVLoader.parse(text: text, file: "f.csv", symbol: "X", onBadRow: .skip)
        #expect(skipped.skipped.map(\.line) == [5])
        #expect(skipped.series.count == 3)
    }

    @Test func aParquetFileIsNamedAsOne() throws {
        let path = DataFixtures.bad("bars.parquet")
        let error = try #require(throws: DataLoadError.self) { try BarCSVLoader.load(path: path, symbol: "X") }
        #expect(error.isNotText)
        #expect(error.issue.message.contains("this is a Parquet file"))
        #expect(error.issue.message.contains("pd.read_parquet('\(path)').to_csv("))
        #expect(!error.issue.message.contains("0x"))
    }

    @Test func predictionsInTheSameDialects() throws {
        let text = "Time;predicted_price;predicted_return\n2020-01-02 10:30:00;10,21;0,001\n"
            + "2020-01-02 09:30:00;10,62;0,002\n"
        let (predictions, _) = try PredictionCSVLoader.parse(text: text, file: "p.csv")
        #expect(predictions.map { Timestamps.iso8601($0.time) } == ["2020-01-02T09:30:00", "2020-01-02T10:30:00"])
        #expect(predictions.map(\.predictedReturn) == [0.002, 0.001])
    }

    @Test func aPlainFileHasNoNotes() throws {
        let bars = try BarCSVLoader.load(path: DataFixtures.good("iso_naive.csv"), symbol: "X")
        #expect(bars.format.notes.isEmpty)
        #expect(bars.format.columns.first == "Time = \"Time\" (field 1)")
        #expect(bars.format.summary == "plain CSV")
    }
}
