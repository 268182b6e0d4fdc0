import Foundation
import Testing
import TradingCore
@testable import Journal

/// The session journal on real SQLite files.
@Suite struct SessionJournalTests {
    static func temp() -> String {
        let dir = "/tmp/trademesh-journal-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static let session = SessionJournal.Session(manifest: "{}", barsPerYear: 1764, skippedRows: 0)

    @Test func whatIsCommittedReadsBackAndReplaysToTheStreamsResult() throws {
        let path = Self.temp() + "/j.sqlite"
        let journal = try SessionJournal.create(path: path, session: Self.session)
        var stream = ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings())
        let long = SignalPlan(whenFlat: Signal(direction: .long, size: .units(3)),
                              whenLong: Signal(direction: .flat, size: .units(3)),
                              whenShort: Signal(direction: .flat, size: .units(3)), predictedReturn: 0.02)
        for i in 0..<6 {
            let bar = Bar(time: Int64(i) * 3_600_000_000_000, open: 10 + Double(i), high: 12 + Double(i),
                          low: 9 + Double(i), close: 11 + Double(i), volume: 5)
            let seq = UInt64(i + 1)
            for f in stream.execute(bar, sequence: seq) { try journal.record(fill: f, seq: seq, time: bar.time) }
            try journal.record(bar: bar, seq: seq)
            try journal.record(snapshot: stream.snapshot, seq: seq, time: bar.time)
            if i == 3 {
                try journal.record(event: "kill", flatten: true, detail: "test", barsDone: seq, decisionsDone: seq - 1)
                stream.kill(flatten: true)
            }
            try journal.record(decision: long, seq: seq)
            stream.apply(long)
            try journal.commit()
        }
        let expected = stream.finish(sequence: 6).result
        let reopened = try SessionJournal.open(path: path)
        #expect(try reopened.count("bars") == 6)
        #expect(try reopened.count("fills") == expected.trades.count * 2 + (expected.openPosition == nil ? 0 : 1))
        let (replayed, bars) = try reopened.replay(symbol: "X", settings: StrategySettings(),
                                                   execution: ExecutionSettings())
        #expect(bars.count == 6)
        #expect(replayed == expected)
        #expect(try reopened.session().barsPerYear == 1764)
    }

    @Test func uncommittedWritesAreNotInTheFile() throws {
        let path = Self.temp() + "/j.sqlite"
        let journal = try SessionJournal.create(path: path, session: Self.session)
        try journal.record(bar: Bar(time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1), seq: 1)
        try journal.commit()
        try journal.record(bar: Bar(time: 1, open: 1, high: 1, low: 1, close: 1, volume: 1), seq: 2)
        // A second connection sees only the committed bar (WAL: readers see the last commit).
        #expect(try SessionJournal.open(path: path).count("bars") == 1)
    }

    @Test func anExistingFileIsNeverOverwritten() throws {
        let path = Self.temp() + "/j.sqlite"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalError.self) { try SessionJournal.create(path: path, session: Self.session) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
    }

    @Test func aFileThatIsNotAJournalIsRefusedAndLeftAlone() throws {
        let path = Self.temp() + "/garbage.sqlite"
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try garbage.write(to: URL(fileURLWithPath: path))
        do {
            _ = try SessionJournal.open(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("not a TradeMesh journal"), "\(error)")
            #expect(error.description.contains(path))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
    }

    @Test func aJournalFromANewerSchemaIsRefused() throws {
        let path = Self.temp() + "/new.sqlite"
        _ = try SessionJournal.create(path: path, session: Self.session)
        let db = try SQLiteDatabase(path: path, create: false)
        try db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version';")
        do {
            _ = try SessionJournal.open(path: path)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("schema version 99 is newer"), "\(error)")
        }
        #expect(throws: JournalError.self) { try SessionJournal.open(path: Self.temp() + "/missing.sqlite") }
    }
}
