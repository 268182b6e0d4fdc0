import Foundation
import TradingCore

/// The durable record of one execution session in an embedded SQLite database (WAL mode): the session's
/// manifest, every bar executed, every decision applied, every order sent to the broker and what became of it,
/// every fill, the account after each bar, the kill switch's events, and the risk layer's denials and trading
/// state changes. Writes go into one transaction per batch; `commit()` makes them durable (synchronous=FULL), and
/// the execution service acknowledges a batch on the bus only after it. Schema: docs/journal.md.
///
/// Everything in it is enough to rebuild the session's result exactly: `replay()` feeds the bars, decisions and
/// events through the same execution code, in the order they happened.
///
/// Sendable by hand: the SQLite connection and its prepared statements are C handles that one thread at a time may
/// use. Every write holds `lock` (the execution service writes from its blocking lane and, for SIGUSR1, from the
/// same lane); the reading methods run before a session starts or after it ended (export, `--resume`), never beside
/// its writes.
public final class SessionJournal: @unchecked Sendable {
    public static let schemaVersion = 2

    /// The tables version 2 added (orders and risk events); a version 1 journal gets them on its first write.
    private static let version2Tables = """
        CREATE TABLE IF NOT EXISTS orders (client_order_id TEXT PRIMARY KEY, seq INTEGER NOT NULL,
                                           time INTEGER NOT NULL, side TEXT NOT NULL, type TEXT NOT NULL,
                                           quantity REAL NOT NULL, price REAL, acknowledged INTEGER NOT NULL,
                                           status TEXT NOT NULL, detail TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS risk_events (id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL,
                                                time INTEGER NOT NULL, kind TEXT NOT NULL, rule TEXT NOT NULL,
                                                detail TEXT NOT NULL, client_order_id TEXT, side TEXT,
                                                quantity REAL, limit_value REAL, observed REAL);
        """

    public let path: String
    private let db: SQLiteDatabase
    private let lock = NSLock()
    private var inTransaction = false
    private let insertBar: SQLiteDatabase.Statement
    private let insertDecision: SQLiteDatabase.Statement
    private let insertFill: SQLiteDatabase.Statement
    private let insertSnapshot: SQLiteDatabase.Statement
    private let insertEvent: SQLiteDatabase.Statement
    /// The schema version of the file; raised to `schemaVersion` by the first write.
    private var fileVersion: Int
    private var insertOrder: SQLiteDatabase.Statement?
    private var insertRiskEvent: SQLiteDatabase.Statement?

    /// What the journal says about its session.
    public struct Session: Sendable {
        /// The `run.json` text of the session (config and input hashes).
        public var manifest: String
        public var barsPerYear: Double
        public var skippedRows: Int

        public init(manifest: String, barsPerYear: Double, skippedRows: Int) {
            self.manifest = manifest
            self.barsPerYear = barsPerYear
            self.skippedRows = skippedRows
        }
    }

    /// Creates a new journal for a session. Refuses an existing file: a journal is never overwritten.
    public static func create(path: String, session: Session) throws(JournalError) -> SessionJournal {
        if FileManager.default.fileExists(atPath: path) {
            throw .notAJournal(path, "the file already exists; a new session needs a new journal")
        }
        let db = try SQLiteDatabase(path: path, create: true)
        try db.execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            BEGIN;
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE bars (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, open REAL NOT NULL, high REAL NOT NULL,
                               low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL);
            CREATE TABLE decisions (seq INTEGER PRIMARY KEY,
                                    flat TEXT NOT NULL, flat_kind INTEGER NOT NULL, flat_size REAL NOT NULL,
                                    long TEXT NOT NULL, long_kind INTEGER NOT NULL, long_size REAL NOT NULL,
                                    short TEXT NOT NULL, short_kind INTEGER NOT NULL, short_size REAL NOT NULL,
                                    predicted_return REAL);
            CREATE TABLE fills (client_order_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, time INTEGER NOT NULL,
                                side TEXT NOT NULL, quantity REAL NOT NULL, price REAL NOT NULL, cost REAL NOT NULL,
                                reason TEXT NOT NULL);
            CREATE TABLE snapshots (seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, position REAL NOT NULL,
                                    cash REAL NOT NULL, equity REAL NOT NULL, realized_pnl REAL NOT NULL,
                                    unrealized_pnl REAL NOT NULL);
            CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, bars_done INTEGER NOT NULL,
                                 decisions_done INTEGER NOT NULL, kind TEXT NOT NULL, flatten INTEGER NOT NULL,
                                 detail TEXT NOT NULL);
            """ + version2Tables)
        let meta = try db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)")
        for (k, v) in [("schema_version", String(schemaVersion)), ("manifest", session.manifest),
                       ("bars_per_year", String(session.barsPerYear)), ("skipped_rows", String(session.skippedRows))] {
            try meta.run([.text(k), .text(v)])
        }
        try db.execute("COMMIT;")
        return try SessionJournal(db: db, version: schemaVersion)
    }

    /// Opens an existing journal for reading (export). A file that is not a journal, or one from a newer schema,
    /// is refused with a clear error and left untouched.
    public static func open(path: String) throws(JournalError) -> SessionJournal {
        guard FileManager.default.fileExists(atPath: path) else { throw .sqlite(path, "no such file") }
        let db = try SQLiteDatabase(path: path, create: false)
        var version: Int?
        do {
            try db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").rows { row in
                version = Int(row.text(0))
            }
        } catch {
            throw .notAJournal(path, "\(error.description.replacingOccurrences(of: path + ": ", with: ""))")
        }
        guard let version else { throw .notAJournal(path, "no schema version") }
        guard version <= schemaVersion else {
            throw .newerSchema(path, found: version, supported: schemaVersion)
        }
        return try SessionJournal(db: db, version: version)
    }

    private init(db: SQLiteDatabase, version: Int) throws(JournalError) {
        path = db.path
        self.db = db
        fileVersion = version
        try db.execute("PRAGMA synchronous = FULL;")
        insertBar = try db.prepare("INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, ?)")
        insertDecision = try db.prepare("INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        insertFill = try db.prepare("INSERT INTO fills VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        insertSnapshot = try db.prepare("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?, ?, ?)")
        insertEvent = try db.prepare(
            "INSERT INTO events (bars_done, decisions_done, kind, flatten, detail) VALUES (?, ?, ?, ?, ?)")
    }

    // MARK: Writing

    private func locked(_ body: () throws(JournalError) -> Void) throws(JournalError) {
        lock.lock()
        defer { lock.unlock() }
        try body()
    }

    private func begin() throws(JournalError) {
        guard !inTransaction else { return }
        try db.execute("BEGIN;")
        inTransaction = true
        if fileVersion < Self.schemaVersion {
            // An older journal continued by this version (`--resume`): the new tables join the first transaction.
            try db.execute(Self.version2Tables
                           + "UPDATE meta SET value = '\(Self.schemaVersion)' WHERE key = 'schema_version';")
            fileVersion = Self.schemaVersion
        }
    }

    public func record(bar: Bar, seq: UInt64) throws(JournalError) {
        try locked { () throws(JournalError) in
            try begin()
            try insertBar.run([.int(Int64(seq)), .int(bar.time), .double(bar.open), .double(bar.high),
                               .double(bar.low), .double(bar.close), .double(bar.volume)])
        }
    }

    public func record(decision plan: SignalPlan, seq: UInt64) throws(JournalError) {
        func parts(_ s: Signal) -> [SQLiteDatabase.Value] {
            switch s.size {
            case .fraction(let f): [.text(s.direction.rawValue), .int(0), .double(f)]
            case .units(let u): [.text(s.direction.rawValue), .int(1), .double(u)]
            }
        }
        try locked { () throws(JournalError) in
            try begin()
            try insertDecision.run([.int(Int64(seq))] + parts(plan.whenFlat) + parts(plan.whenLong)
                                   + parts(plan.whenShort) + [plan.predictedReturn.map { .double($0) } ?? .null])
        }
    }

    public func record(fill: Fill, seq: UInt64, time: Int64) throws(JournalError) {
        try locked { () throws(JournalError) in
            try begin()
            try insertFill.run([.text(fill.clientOrderID), .int(Int64(seq)), .int(time), .text(fill.side.rawValue),
                                .double(fill.quantity), .double(fill.price), .double(fill.cost),
                                .text(fill.reason.rawValue)])
        }
    }

    public func record(snapshot s: PositionSnapshot, seq: UInt64, time: Int64) throws(JournalError) {
        try locked { () throws(JournalError) in
            try begin()
            try insertSnapshot.run([.int(Int64(seq)), .int(time), .double(s.position), .double(s.cash),
                                    .double(s.equity), .double(s.realizedPnL), .double(s.unrealizedPnL)])
        }
    }

    /// A kill switch event (`kill` or `resume`), placed after `barsDone` bars and `decisionsDone` decisions.
    public func record(event kind: String, flatten: Bool, detail: String, barsDone: UInt64,
                       decisionsDone: UInt64) throws(JournalError) {
        try locked { () throws(JournalError) in
            try begin()
            try insertEvent.run([.int(Int64(barsDone)), .int(Int64(decisionsDone)), .text(kind),
                                 .int(flatten ? 1 : 0), .text(detail)])
        }
    }

    public func record(order: Order, seq: UInt64, time: Int64, acknowledged: Bool, status: OrderStatus,
                       detail: String) throws(JournalError) {
        try locked { () throws(JournalError) in
            try begin()
            if insertOrder == nil { insertOrder = try db.prepare("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") }
            try insertOrder!.run([.text(order.clientOrderID), .int(Int64(seq)), .int(time), .text(order.side.rawValue),
                                  .text(order.type.rawValue), .double(order.quantity),
                                  order.price.map { .double($0) } ?? .null, .int(acknowledged ? 1 : 0),
                                  .text(status.rawValue), .text(detail)])
        }
    }

    public func record(risk event: RiskGate.Event, seq: UInt64) throws(JournalError) {
        func optional(_ x: Double?) -> SQLiteDatabase.Value { x.map { .double($0) } ?? .null }
        try locked { () throws(JournalError) in
            try begin()
            if insertRiskEvent == nil {
                insertRiskEvent = try db.prepare("""
                    INSERT INTO risk_events (seq, time, kind, rule, detail, client_order_id, side, quantity,
                                             limit_value, observed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            }
            let d = event.denied
            try insertRiskEvent!.run([.int(Int64(seq)), .int(event.time), .text(event.kind), .text(event.rule),
                                      .text(event.detail), d.map { .text($0.order.clientOrderID) } ?? .null,
                                      d.map { .text($0.order.side.rawValue) } ?? .null, optional(d?.order.quantity),
                                      optional(d?.limit), optional(d?.observed)])
        }
    }

    /// Makes everything recorded since the last commit durable.
    public func commit() throws(JournalError) {
        try locked { () throws(JournalError) in
            guard inTransaction else { return }
            try db.execute("COMMIT;")
            inTransaction = false
        }
    }

    // MARK: Reading

    public func session() throws(JournalError) -> Session {
        var values: [String: String] = [:]
        try db.prepare("SELECT key, value FROM meta").rows { row in values[row.text(0)] = row.text(1) }
        guard let manifest = values["manifest"] else { throw .missingSession(path) }
        return Session(manifest: manifest, barsPerYear: Double(values["bars_per_year"] ?? "") ?? 0,
                       skippedRows: Int(values["skipped_rows"] ?? "") ?? 0)
    }

    /// The executed bars, in order.
    public func bars(symbol: String) throws(JournalError) -> BarSeries {
        var series = BarSeries(symbol: symbol)
        try db.prepare("SELECT time, open, high, low, close, volume FROM bars ORDER BY seq").rows { row in
            series.append(Bar(time: row.int(0), open: row.double(1), high: row.double(2), low: row.double(3),
                              close: row.double(4), volume: row.double(5)))
        }
        return series
    }

    /// The applied decisions, by sequence number.
    public func decisions() throws(JournalError) -> [UInt64: SignalPlan] {
        var plans: [UInt64: SignalPlan] = [:]
        func signal(_ row: SQLiteDatabase.Row, _ at: Int32) -> Signal {
            let direction = Direction(rawValue: row.text(at)) ?? .flat
            return Signal(direction: direction,
                          size: row.int(at + 1) == 1 ? .units(row.double(at + 2)) : .fraction(row.double(at + 2)))
        }
        try db.prepare("SELECT * FROM decisions").rows { row in
            plans[UInt64(row.int(0))] = SignalPlan(whenFlat: signal(row, 1), whenLong: signal(row, 4),
                                                   whenShort: signal(row, 7),
                                                   predictedReturn: row.isNull(10) ? nil : row.double(10))
        }
        return plans
    }

    /// Kill switch events in order: (bars done, decisions done, kill?, flatten, detail).
    public func events() throws(JournalError)
        -> [(barsDone: UInt64, decisionsDone: UInt64, kill: Bool, flatten: Bool, detail: String)]
    {
        var out: [(UInt64, UInt64, Bool, Bool, String)] = []
        try db.prepare("SELECT bars_done, decisions_done, kind, flatten, detail FROM events ORDER BY id").rows { row in
            out.append((UInt64(row.int(0)), UInt64(row.int(1)), row.text(2) == "kill", row.int(3) == 1, row.text(4)))
        }
        return out
    }

    public func count(_ table: String) throws(JournalError) -> Int {
        var n = 0
        try db.prepare("SELECT COUNT(*) FROM \(table)").rows { row in n = Int(row.int(0)) }
        return n
    }

    /// Rebuilds the session's result: its bars, decisions and kill switch events through the execution code, in
    /// the order they happened.
    public func replay(symbol: String, settings: StrategySettings, execution: ExecutionSettings,
                       riskLimits: RiskLimits? = nil) throws(JournalError) -> (result: BacktestResult, bars: BarSeries)
    {
        let rebuilt = try rebuild(symbol: symbol, settings: settings, execution: execution, riskLimits: riskLimits)
        var stream = rebuilt.stream
        return (stream.finish(sequence: UInt64(rebuilt.bars.count)).result, rebuilt.bars)
    }

    /// The execution state the journal leads to — positions, cash, the order waiting for the next open, the kill
    /// switch, the risk rules' day — and how many bars and decisions it covers: what a restarted execution service
    /// continues from.
    public func rebuild(symbol: String, settings: StrategySettings, execution: ExecutionSettings,
                        riskLimits: RiskLimits? = nil) throws(JournalError)
        -> (stream: ExecutionStream, bars: BarSeries, decisions: UInt64)
    {
        let bars = try self.bars(symbol: symbol)
        let plans = try decisions()
        var events = try self.events()[...]
        var stream = ExecutionStream(symbol: symbol, settings: settings, execution: execution, riskLimits: riskLimits)
        func applyEvents(bars done: UInt64, decisions applied: UInt64) {
            while let e = events.first, e.barsDone == done, e.decisionsDone == applied {
                if e.kill { stream.kill(reason: e.detail, flatten: e.flatten) } else { stream.resume() }
                events.removeFirst()
            }
        }
        var applied: UInt64 = 0
        applyEvents(bars: 0, decisions: 0)
        for t in 0..<bars.count {
            let seq = UInt64(t + 1)
            stream.execute(bars[t], sequence: seq)
            applyEvents(bars: seq, decisions: seq - 1)
            if let plan = plans[seq] {
                stream.apply(plan)
                applied = seq
                applyEvents(bars: seq, decisions: seq)
            }
        }
        return (stream, bars, applied)
    }
}

extension SessionJournal: ExecutionRecorder {}
