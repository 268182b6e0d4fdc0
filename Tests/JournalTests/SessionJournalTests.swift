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

    @Test func ordersAndRiskEventsAreJournaledWithWhatBecameOfThem() throws {
        let path = Self.temp() + "/j.sqlite"
        let journal = try SessionJournal.create(path: path, session: Self.session)
        let order = Order(clientOrderID: "threshold-X-000001-1", symbol: "X", side: .buy, quantity: 3, type: .stop,
                          price: 99.5)
        try journal.record(order: order, seq: 1, time: 7, acknowledged: true, status: .filled, detail: "")
        try journal.record(order: Order(clientOrderID: "threshold-X-000002-1", symbol: "X", side: .sell, quantity: 0,
                                        type: .market), seq: 2, time: 8, acknowledged: false, status: .rejected,
                               detail: "quantity must be positive")
        let denial = OrderDenied(order: order, rule: "max_position_units", limit: 2, observed: 3, reason: "too big")
        try journal.record(risk: RiskGate.Event(time: 9, kind: "denied", rule: denial.rule, detail: denial.reason,
                                                denied: denial), seq: 2)
        try journal.record(risk: RiskGate.Event(time: 9, kind: "state", rule: "HALTED", detail: "daily loss"), seq: 2)
        try journal.commit()
        let db = try SQLiteDatabase(path: path, create: false)
        var orders: [String] = []
        try db.prepare("SELECT client_order_id, type, price, acknowledged, status, detail FROM orders ORDER BY seq").rows { row in
            orders.append("\(row.text(0)) \(row.text(1)) \(row.isNull(2) ? "-" : String(row.double(2))) \(row.int(3)) \(row.text(4)) \(row.text(5))")
        }
        #expect(orders == ["threshold-X-000001-1 STOP 99.5 1 filled ",
                           "threshold-X-000002-1 MARKET - 0 rejected quantity must be positive"])
        var risk: [String] = []
        try db.prepare("SELECT kind, rule, client_order_id, limit_value, observed FROM risk_events ORDER BY id").rows { row in
            risk.append("\(row.text(0)) \(row.text(1)) \(row.isNull(2) ? "-" : row.text(2)) \(row.isNull(3) ? "-" : String(row.double(3))) \(row.isNull(4) ? "-" : String(row.double(4)))")
        }
        #expect(risk == ["denied max_position_units threshold-X-000001-1 2.0 3.0", "state HALTED - - -"])
    }

    /// A version 1 journal (before orders and risk events) is read as it is, and gains the new tables when a
    /// resumed session first writes to it.
    @Test func aVersion1JournalIsReadUntouchedAndUpgradedByItsFirstWrite() throws {
        let path = Self.temp() + "/v1.sqlite"
        _ = try SessionJournal.create(path: path, session: Self.session)
        let db = try SQLiteDatabase(path: path, create: false)
        try db.execute("DROP TABLE orders; DROP TABLE risk_events; UPDATE meta SET value = '1' WHERE key = 'schema_version';")
        func version() throws -> String {
            var v = ""
            try db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").rows { v = $0.text(0) }
            return v
        }
        let old = try SessionJournal.open(path: path)
        #expect(try old.count("bars") == 0)
        #expect(try version() == "1", "reading changes nothing")
        try old.record(bar: Bar(time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1), seq: 1)
        try old.record(order: Order(clientOrderID: "a", symbol: "X", side: .buy, quantity: 1, type: .market), seq: 1,
                       time: 0, acknowledged: true, status: .filled, detail: "")
        try old.commit()
        #expect(try version() == "2")
        #expect(try old.count("orders") == 1 && old.count("bars") == 1)
    }
}
