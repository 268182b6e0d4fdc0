import CSQLite

/// A SQLite connection through the C API: statements prepared once, errors that name the file.
final class SQLiteDatabase {
    let path: String
    private var handle: OpaquePointer?

    /// Opens an existing database file, or creates one when `create` is true. Never truncates anything.
    init(path: String, create: Bool) throws(JournalError) {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        handle = db
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            handle = nil
            throw .sqlite(path, message)
        }
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close(handle) }

    /// Runs statements that return no rows.
    func execute(_ sql: String) throws(JournalError) {
        var error: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &error) != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? lastError
            sqlite3_free(error)
            throw .sqlite(path, message)
        }
    }

    func prepare(_ sql: String) throws(JournalError) -> Statement {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw .sqlite(path, lastError)
        }
        return Statement(handle: statement, database: self)
    }

    var lastError: String { handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed" }

    /// A prepared statement; bind by 1-based index, then `run()` or `rows()`.
    final class Statement {
        let handle: OpaquePointer
        unowned let database: SQLiteDatabase

        init(handle: OpaquePointer, database: SQLiteDatabase) {
            self.handle = handle
            self.database = database
        }

        deinit { sqlite3_finalize(handle) }

        func bind(_ values: [Value]) {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            for (i, v) in values.enumerated() {
                let index = Int32(i + 1)
                switch v {
                case .int(let x): sqlite3_bind_int64(handle, index, x)
                case .double(let x): sqlite3_bind_double(handle, index, x)
                case .text(let x): sqlite3_bind_text(handle, index, x, -1, Self.transient)
                case .null: sqlite3_bind_null(handle, index)
                }
            }
        }

        /// Runs the statement with `values`; for statements without rows.
        func run(_ values: [Value]) throws(JournalError) {
            bind(values)
            let rc = sqlite3_step(handle)
            guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw .sqlite(database.path, database.lastError) }
        }

        /// Runs the statement and calls `body` for each row.
        func rows(_ values: [Value] = [], _ body: (Row) throws(JournalError) -> Void) throws(JournalError) {
            bind(values)
            while true {
                let rc = sqlite3_step(handle)
                if rc == SQLITE_DONE { return }
                guard rc == SQLITE_ROW else { throw .sqlite(database.path, database.lastError) }
                try body(Row(handle: handle))
            }
        }

        static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    }

    /// One result row.
    struct Row {
        let handle: OpaquePointer
        func int(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
        func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
        func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
        func text(_ i: Int32) -> String { sqlite3_column_text(handle, i).map { String(cString: $0) } ?? "" }
    }

    enum Value {
        case int(Int64)
        case double(Double)
        case text(String)
        case null
    }
}
