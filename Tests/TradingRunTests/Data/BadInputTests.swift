import Testing
import TestSupport
@testable import TradingCore
@testable import TradingRun

/// Every file of the bad-input corpus fails with an error naming file, line, column and reason.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var line: Int
        var column: String?
        var reason: String
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "nan.csv", line: 4, column: "Open", reason: "Open nan is not a finite number"),
        Case(file: "inf.csv", line: 4, column: "High", reason: "High inf is not a finite number"),
        Case(file: "empty_field.csv", line: 4, column: "Low", reason: "empty field"),
        Case(file: "high_below_low.csv", line: 4, column: "High", reason: "High 10.2 is below Low 10.7"),
        Case(file: "high_below_body.csv", line: 4, column: "High",
             reason: "High 10.5 is below max(Open, Close) 11.0"),
        Case(file: "unsorted.csv", line: 5, column: "Time",
             reason: "time 2020-01-02T11:30:00 is earlier than line 4's 2020-01-02T12:30:00"),
        Case(file: "duplicate_time.csv", line: 4, column: "Time",
             reason: "duplicate time 2020-01-02T10:30:00: line 3 has the same time"),
        Case(file: "bad_header.csv", line: 1, column: nil,
             reason: "missing columns Time, Open, High, Low, Close (header is"),
        Case(file: "truncated_last_line.csv", line: 4, column: "Low", reason: "row has 3 fields but the header has 6"),
        Case(file: "wrong_type.csv", line: 4, column: "Close", reason: "Close \"abc\" is not a number"),
        Case(file: "negative_volume.csv", line: 4, column: "Volume", reason: "Volume -5.0 is negative"),
        Case(file: "negative_price.csv", line: 4, column: "Low", reason: "Low -10.3 is not positive"),
        Case(file: "missing_column.csv", line: 1, column: nil, reason: "missing column Low"),
        Case(file: "empty.csv", line: 1, column: nil, reason: "file is empty"),
        Case(file: "header_only.csv", line: 1, column: nil, reason: "no data rows"),
        Case(file: "bad_time.csv", line: 4, column: "Time", reason: "cannot read \"2020-02-30T11:30:00\" as a time"),
    ]

    @Test(arguments: cases)
    func failsWithClearError(_ c: Case) throws {
        let path = DataFixtures.bad(c.file)
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.load(path: path, symbol: "X")
        }
        #expect(error.issue.file == path)
        #expect(error.issue.line == c.line)
        #expect(error.issue.column == c.column)
        #expect(error.issue.message.contains(c.reason), "\(error)")
        #expect(error.description.hasPrefix("\(path):\(c.line)"))
        if let column = c.column { #expect(error.description.contains(": column \(column): ")) }
    }

    @Test func messageFormat() throws {
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.parse(text: "Time,Open,High,Low,Close,Volume\n2020-01-02,11,10.5,10,11,1\n",
                                   file: "data/x.csv", symbol: "X")
        }
        #expect(error.description == "data/x.csv:2: column High: High 10.5 is below max(Open, Close) 11.0")
        #expect(error.isRowError)
    }

    @Test func headerThatIsDataSaysSo() throws {
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.load(path: DataFixtures.bad("bad_header.csv"), symbol: "X")
        }
        #expect(error.issue.message.contains("the first line looks like data"))
        #expect(!error.isRowError)
    }

    @Test func missingFileIsUnreadable() throws {
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.load(path: DataFixtures.bad("no_such_file.csv"), symbol: "X")
        }
        #expect(error.issue.message.contains("cannot read file"))
    }

    @Test func duplicateColumnIsABadHeader() throws {
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.parse(text: "Time,Open,High,Low,Close,Volume,close\n", file: "x.csv", symbol: "X")
        }
        #expect(error.issue.message.contains("more than one Close column"))
    }

    @Test func extraFieldsAreAnError() throws {
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.parse(text: "Time,Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1,7\n", file: "x.csv",
                                   symbol: "X")
        }
        #expect(error.issue.line == 2)
        #expect(error.issue.message.contains("row has 7 fields but the header has 6"))
    }

    @Test func skipPolicyReportsEachSkippedRow() throws {
        let path = DataFixtures.bad("several_bad_rows.csv")
        let result = try BarCSVLoader.load(path: path, symbol: "X", onBadRow: .skip)
        #expect(result.series.count == 3)
        #expect(result.series.time.map(Timestamps.iso8601) == [
            "2020-01-02T09:30:00", "2020-01-02T12:30:00", "2020-01-02T14:30:00",
        ])
        #expect(result.skipped.map(\.line) == [3, 4, 6])
        #expect(result.skipped.map(\.column) == ["Low", "Time", "High"])
        #expect(result.skipped[0].message == "Low \"abc\" is not a number")
        #expect(result.skipped[1].message == "duplicate time 2020-01-02T09:30:00: line 2 has the same time")
        #expect(result.skipped[2].message == "High 10.4 is below max(Open, Close) 10.6")
        #expect(result.skipped.allSatisfy { $0.file == path })
    }

    @Test func skipPolicySkipsDuplicatesAndNonFiniteRows() throws {
        for name in ["duplicate_time.csv", "nan.csv", "inf.csv", "empty_field.csv", "negative_volume.csv"] {
            let result = try BarCSVLoader.load(path: DataFixtures.bad(name), symbol: "X", onBadRow: .skip)
            #expect(result.series.count == 3, "\(name)")
            #expect(result.skipped.map(\.line) == [4], "\(name)")
        }
        let truncated = try BarCSVLoader.load(path: DataFixtures.bad("truncated_last_line.csv"), symbol: "X",
                                              onBadRow: .skip)
        #expect(truncated.series.count == 2)
        #expect(truncated.skipped.count == 1)
    }

    @Test func skipPolicyStillFailsOnFileLevelProblems() throws {
        for name in ["empty.csv", "bad_header.csv", "missing_column.csv"] {
            #expect(throws: DataLoadError.self) {
                try BarCSVLoader.load(path: DataFixtures.bad(name), symbol: "X", onBadRow: .skip)
            }
        }
    }

    @Test func allRowsSkippedIsAnError() throws {
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.parse(text: "Time,Open,High,Low,Close,Volume\n2020-01-02,x,1,1,1,1\n", file: "x.csv",
                                   symbol: "X", onBadRow: .skip)
        }
        #expect(error.issue.message.contains("all 1 data rows were skipped"))
    }
}
