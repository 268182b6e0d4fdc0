import Foundation
import Testing
import TestSupport
@testable import TradingCore
@testable import TradingRun

/// Files that cannot be CSV are refused from their first bytes, and no message echoes more than a short excerpt.
@Suite(.timeLimit(.minutes(1))) struct NotTextInputTests {
    /// The longest message these tests accept: a path, a line number and an 80-character excerpt.
    static let messageBound = 400

    static func tempFile(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trademesh-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func aFileOfNULBytesIsRefusedAsBinary() throws {
        let path = Self.tempFile("zeros.csv")
        try Self.write([UInt8](repeating: 0, count: 4 << 20), to: path)
        let error = try #require(throws: DataLoadError.self) { try BarCSVLoader.load(path: path, symbol: "X") }
        #expect(error.isNotText)
        #expect(!error.isRowError)
        #expect(error.description == "\(path):1: not a CSV text file: binary data: byte 0x00 at offset 0")
        let predictions = try #require(throws: DataLoadError.self) { try PredictionCSVLoader.load(path: path) }
        #expect(predictions.isNotText)
    }

    /// A sparse file reads as 64 GiB of NUL bytes without using the disk: reading or mapping it whole would exhaust
    /// the machine or the time limit, so its refusal shows the loader looked only at its start.
    @Test func aHugeFileIsRefusedFromItsFirstBytes() throws {
        let path = Self.tempFile("sparse.csv")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        let sized = ftruncate(fd, 64 << 30)
        close(fd)
        try #require(sized == 0, "the file system cannot hold a sparse file")
        defer { unlink(path) }
        let error = try #require(throws: DataLoadError.self) { try BarCSVLoader.load(path: path, symbol: "X") }
        #expect(error.isNotText)
        #expect(error.description.count < Self.messageBound)
    }

    @Test func binaryDataAfterAHeaderIsRefused() throws {
        let path = Self.tempFile("gzip.csv")
        let header = Array("Time,Open,High,Low,Close,Volume\n".utf8)
        try Self.write(header + [0x1F, 0x8B, 0x08, 0x00] + Array(repeating: 0x41, count: 1 << 20), to: path)
        let error = try #require(throws: DataLoadError.self) { try BarCSVLoader.load(path: path, symbol: "X") }
        #expect(error.isNotText)
        #expect(error.issue.message == "not a CSV text file: binary data: byte 0x1F at offset 32")
        #expect(error.issue.line == 2)
    }

    @Test func aLongFirstLineIsRefusedWithoutBeingQuoted() throws {
        let path = Self.tempFile("one-line.csv")
        try Self.write(Array(repeating: UInt8(ascii: "x"), count: 4 << 20), to: path)
        let error = try #require(throws: DataLoadError.self) { try BarCSVLoader.load(path: path, symbol: "X") }
        #expect(error.isNotText)
        #expect(error.issue.message.hasPrefix("not a CSV text file: no line break in the first 65536 bytes"))
        #expect(!error.description.contains("xxx"))
    }

    @Test func textGivenDirectlyIsCheckedToo() throws {
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.parse(text: "Time,Open\u{0},High\n", file: "inline.csv", symbol: "X")
        }
        #expect(error.isNotText)
        #expect(error.description == "inline.csv:1: not a CSV text file: binary data: byte 0x00 at offset 9")
    }

    @Test func aLongBadFieldIsQuotedAsAShortEscapedExcerpt() throws {
        let garbage = String(repeating: "é\"", count: 500_000)
        let text = "Time,Open,High,Low,Close,Volume\n2020-01-02T09:30:00,\(garbage),11,9,10,100\n"
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.parse(text: text, file: "long.csv", symbol: "X")
        }
        #expect(error.isRowError)
        #expect(error.issue.column == "Open")
        #expect(error.description.count < Self.messageBound, "\(error.description.count) characters")
        let excerpt = String(repeating: "é\\\"", count: 40)
        #expect(error.issue.message == "Open \"\(excerpt)…(1500000 bytes)\" is not a number")
    }

    @Test func aLongHeaderIsQuotedAsAnExcerpt() throws {
        let header = String(repeating: "column,", count: 5_000) + "x"
        let error = try #require(throws: DataLoadError.self) {
            try BarCSVLoader.parse(text: header + "\n1,2\n", file: "wide.csv", symbol: "X")
        }
        #expect(error.issue.message.hasPrefix("bad header: missing columns Time, Open, High, Low, Close (header is"))
        #expect(error.issue.message.contains("…(\(header.utf8.count) bytes)"))
        #expect(error.description.count < Self.messageBound)
    }

    @Test func excerptsEscapeControlCharactersAndQuotes() {
        #expect(TextExcerpt.of("a\u{0}b\tc\"d\\e\u{1B}") == "a\\0b\\tc\\\"d\\\\e\\x1B")
        #expect(TextExcerpt.of(String(repeating: "z", count: 80)) == String(repeating: "z", count: 80))
        #expect(TextExcerpt.of(String(repeating: "z", count: 81)) == String(repeating: "z", count: 80) + "…(81 bytes)")
    }
}

/// The bar interval that stamps a bar at its close on the bus (docs/wire.md, "Times").
@Suite struct BarIntervalTests {
    @Test func theSmallestGapBetweenConsecutiveBars() throws {
        let hourly = try BarCSVLoader.load(path: DataFixtures.sample("NVDA_1h.csv"), symbol: "NVDA").series
        #expect(BarInterval.infer(times: hourly.time) == 3_600_000_000_000)
        let day = Timestamps.nanosPerDay
        #expect(BarInterval.infer(times: [0, 3 * day, 4 * day, 7 * day]) == day, "weekends and holidays between")
        #expect(BarInterval.infer(times: [5]) == 0)
        #expect(BarInterval.infer(times: []) == 0)
    }
}
