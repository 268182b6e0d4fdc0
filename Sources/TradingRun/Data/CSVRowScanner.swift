import TradingCore
/// Walks the data lines of a CSV file held in memory and finds each line's fields, without copying.
///
/// Blank lines are skipped, a `\r` before the `\n` is dropped, and fields are split at every separator of the
/// detected dialect (`CSVDialect`); a file with quoted fields is split outside quotes and the quotes left out of
/// the fields, byte by byte (plain files take the eight-bytes-at-a-time path). Times and numbers are read as the
/// dialect says. The buffer must end with `\n`.
struct CSVRowScanner {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    private let separator: UInt8
    private let quoted: Bool
    private let decimalPoint: UInt8
    /// Times are ISO-8601 (the fast path); otherwise `timeEncoding` says how to read them.
    private let isoTimes: Bool
    private let timeEncoding: CSVTimeEncoding
    private let zone: [UInt8]
    /// Fields recorded per line: the header's field count plus one, enough to tell "too many fields".
    let capacity: Int
    private let starts: UnsafeMutablePointer<Int>
    private let ends: UnsafeMutablePointer<Int>
    private var position: Int
    /// 1-based line number of the current row.
    private(set) var line: Int
    /// Number of fields of the current row (may exceed `capacity`; only the first `capacity` are recorded).
    private(set) var fieldCount = 0

    init(bytes: UnsafePointer<UInt8>, count: Int, header: CSVHeader) {
        self.bytes = bytes
        self.count = count
        capacity = header.fieldCount + 1
        starts = .allocate(capacity: capacity)
        ends = .allocate(capacity: capacity)
        position = header.dataStart
        line = header.line
        let dialect = header.dialect
        separator = dialect.separator
        quoted = dialect.quoted
        decimalPoint = dialect.decimalPoint
        timeEncoding = dialect.time
        isoTimes = dialect.time == .iso
        if case .loose(let zone?) = dialect.time { self.zone = Array(zone.utf8) } else { zone = [] }
    }

    /// Frees the field buffers; call once when done.
    func deallocate() {
        starts.deallocate()
        ends.deallocate()
    }

    /// Moves to the next non-blank line; false at the end of the data.
    @inline(__always)
    mutating func next() -> Bool {
        if quoted { return nextQuoted() }
        while position < count {
            line += 1
            let lineStart = position
            var p = position
            var field = 0
            starts[0] = p
            // Eight bytes at a time while a whole word is left, then byte by byte.
            scan: while p + 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(bytes + p).loadUnaligned(as: UInt64.self))
                var hits = ByteMask.matching(word, separator) | ByteMask.matching(word, 0x0A)
                while hits != 0 {
                    let at = p + hits.trailingZeroBitCount >> 3
                    if bytes[at] == 0x0A {
                        p = at
                        break scan
                    }
                    if field + 1 < capacity {
                        ends[field] = at
                        starts[field + 1] = at + 1
                    }
                    field += 1
                    hits &= hits &- 1
                }
                p += 8
            }
            if p + 8 > count || bytes[p] != 0x0A {
                while true {
                    let c = bytes[p]
                    if c == separator {
                        if field + 1 < capacity {
                            ends[field] = p
                            starts[field + 1] = p + 1
                        }
                        field += 1
                    } else if c == 0x0A {
                        break
                    }
                    p += 1
                }
            }
            position = p + 1
            var lineEnd = p
            if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd == lineStart { continue }
            if field < capacity { ends[field] = lineEnd }
            fieldCount = field + 1
            return true
        }
        return false
    }

    /// `next` for a file with quoted fields: separators inside double quotes do not split, and a field wrapped in
    /// quotes is recorded without them.
    private mutating func nextQuoted() -> Bool {
        while position < count {
            line += 1
            let lineStart = position
            var p = position
            var field = 0
            var fieldStart = p
            var inQuotes = false
            while true {
                let c = bytes[p]
                if c == 0x0A { break }
                if c == 0x22 {
                    inQuotes.toggle()
                } else if c == separator && !inQuotes {
                    record(field, fieldStart, p)
                    field += 1
                    fieldStart = p + 1
                }
                p += 1
            }
            position = p + 1
            var lineEnd = p
            if lineEnd > lineStart && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd == lineStart { continue }
            record(field, fieldStart, lineEnd)
            fieldCount = field + 1
            return true
        }
        return false
    }

    /// Records field `field` as `bytes[start..<end]` without surrounding spaces and double quotes.
    private func record(_ field: Int, _ start: Int, _ end: Int) {
        guard field < capacity else { return }
        var s = start
        var e = end
        while s < e && bytes[s] == 0x20 { s += 1 }
        while e > s && bytes[e - 1] == 0x20 { e -= 1 }
        if e - s >= 2 && bytes[s] == 0x22 && bytes[e - 1] == 0x22 {
            s += 1
            e -= 1
        }
        starts[field] = s
        ends[field] = e
    }

    /// The time in field `index` as the dialect writes it, or nil.
    @inline(__always)
    func timeValue(_ index: Int) -> Int64? {
        if isoTimes {
            let (s, e) = range(index)
            return Timestamps.parse(bytes, s, e)
        }
        return otherTime(index)
    }

    /// `timeValue` for the non-ISO encodings.
    @inline(never)
    private func otherTime(_ index: Int) -> Int64? {
        let (s, e) = range(index)
        switch timeEncoding {
        case .iso: return Timestamps.parse(bytes, s, e)
        case .loose: return LooseTime.parse(bytes, s, e, zone: zone)
        case .epochSeconds: return LooseTime.parseEpoch(bytes, s, e, scale: Timestamps.nanosPerSecond)
        case .epochMilliseconds: return LooseTime.parseEpoch(bytes, s, e, scale: 1_000_000)
        case .dateAndClock(let clockField):
            guard clockField < min(fieldCount, capacity) else { return nil }
            let (cs, ce) = range(clockField)
            return LooseTime.parse(date: bytes, s, e, clockStart: cs, clockEnd: ce)
        }
    }

    /// The number in field `index` (with the dialect's decimal mark), or nil.
    @inline(__always)
    func numberValue(_ index: Int) -> Double? {
        let (s, e) = range(index)
        return DecimalParser.parse(bytes, s, e, point: decimalPoint)
    }

    /// Byte range of field `index` (< `min(fieldCount, capacity)`).
    @inline(__always)
    func range(_ index: Int) -> (start: Int, end: Int) { (starts[index], ends[index]) }

    /// The text of field `index` for messages: a short escaped excerpt (`TextExcerpt`), however long the field.
    func text(_ index: Int) -> String {
        let (s, e) = range(index)
        return TextExcerpt.of(bytes + s, count: e - s)
    }

    /// Whether field `index` is empty or only spaces.
    @inline(__always)
    func isBlank(_ index: Int) -> Bool {
        let (s, e) = range(index)
        var i = s
        while i < e {
            if bytes[i] != 0x20 { return false }
            i += 1
        }
        return true
    }

    /// The field as a number, or a problem naming the column: empty, not a number, not finite.
    @inline(__always)
    func number(_ index: Int, column: String) throws(RowProblem) -> Double {
        if let value = numberValue(index), value.isFinite { return value }
        throw numberProblem(index, column: column)
    }

    /// The field as a timestamp (see `Timestamps.parse`), or a problem naming the column.
    @inline(__always)
    func time(_ index: Int, column: String) throws(RowProblem) -> Int64 {
        if let value = timeValue(index) { return value }
        if isBlank(index) { throw RowProblem(column: column, message: "empty field") }
        if !isoTimes {
            throw RowProblem(column: column, message: "cannot read \"\(text(index))\" as a time in this file's "
                + "format (\(timeEncoding.summary), detected from its first data row)")
        }
        throw RowProblem(column: column, message: "cannot read \"\(text(index))\" as a time (expected ISO-8601 "
            + "such as 2020-01-02T09:30:00, 2020-01-02 09:30:00, 2020-01-02T14:30:00Z, "
            + "2020-01-02T09:30:00-05:00, or a date such as 2020-01-02)")
    }

    /// Checks the row has exactly the header's number of fields.
    @inline(__always)
    func checkFieldCount(_ header: CSVHeader) throws(RowProblem) {
        if fieldCount == header.fieldCount { return }
        if fieldCount < header.fieldCount {
            let firstMissing = header.names[fieldCount]
            throw RowProblem(column: firstMissing.isEmpty ? nil : firstMissing,
                             message: "row has \(fieldCount) field\(fieldCount == 1 ? "" : "s") but the header has "
                                 + "\(header.fieldCount) (truncated line?)")
        }
        throw RowProblem(column: nil, message: "row has \(fieldCount) fields but the header has \(header.fieldCount)")
    }

    private func numberProblem(_ index: Int, column: String) -> RowProblem {
        if isBlank(index) { return RowProblem(column: column, message: "empty field") }
        if let value = numberValue(index) {
            return RowProblem(column: column, message: "\(column) \(value) is not a finite number")
        }
        return RowProblem(column: column, message: "\(column) \"\(text(index))\" is not a number")
    }
}

/// What is wrong with one row: the column at fault (as named in the header), if any, and why.
struct RowProblem: Error {
    var column: String?
    var message: String

    func issue(file: String, line: Int) -> DataIssue {
        DataIssue(file: file, line: line, column: column, message: message)
    }
}
