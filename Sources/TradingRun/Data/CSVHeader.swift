import TradingCore
/// The header of a CSV data file, mapped to the columns a loader needs, with the file's dialect detected from
/// the header and the first data rows (`CSVDialect`).
///
/// Column names are matched case-insensitively after trimming spaces, surrounding double quotes and MetaTrader's
/// angle brackets (`<CLOSE>`); columns in any order; unknown columns are ignored. The time column may be named
/// `Time`, `Date`, `Datetime`, `Timestamp` (and a few exporters' names), be the unnamed first column of a pandas
/// export (`,Open,High,...`), or be split into a `Date` and a `Time` column. yfinance's three header rows
/// (`Price`/`Ticker`/`Date`) are read as one header.
struct CSVHeader {
    /// A column a loader needs: its display name and the lowercase names that select it (in order of preference
    /// for all but the time column), and whether it may be absent.
    struct Column {
        var name: String
        var aliases: [String]
        var optional = false
    }

    static let timeColumn = Column(name: "Time", aliases: [
        "time", "date", "datetime", "timestamp", "date_time", "open_time", "open time", "gmt time", "local time",
    ])

    /// Field names as written, trimmed.
    let names: [String]
    /// For each wanted column (same order), its field index; -1 for an optional column the file lacks.
    let fieldIndex: [Int]
    /// Byte offset where the first data line starts.
    let dataStart: Int
    /// 1-based line number of the (last) header line.
    let line: Int
    /// How the file is written.
    let dialect: CSVDialect

    var fieldCount: Int { names.count }

    /// How many data rows are looked at to detect the dialect.
    static let sampleRows = 20

    /// Reads the header from `bytes` (terminated by `\n`, see `FileContents`), skipping a UTF-8 byte-order mark
    /// and blank lines before it, and detects the dialect from it and the first data rows. `wanted[0]` must be
    /// the time column.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String, wanted: [Column]) throws(DataLoadError)
        -> CSVHeader
    {
        var lines = LineReader(bytes: bytes)
        guard let first = lines.nextNonBlank() else { throw .empty(file) }
        var dialect = CSVDialect()
        dialect.separator = separator(of: first.text)
        var names = split(first.text, dialect.separator).map(clean)
        var line = first.number
        var dataStart = lines.position
        if let yfinance = try yfinanceHeader(names: names, lines: &lines, dialect: dialect, file: file) {
            names[0] = yfinance.timeName
            line = yfinance.lastLine
            dataStart = lines.position
            dialect.notes.append("yfinance export (header rows Price/Ticker/Date, ticker \(yfinance.ticker))")
        }
        var sample: [(number: Int, text: String)] = []
        while sample.count < sampleRows, let next = lines.nextNonBlank() { sample.append(next) }
        dialect.quoted = first.text.contains("\"") || sample.contains { $0.text.contains("\"") }
        let rows = sample.map { split($0.text, dialect.separator) }
        let matched = try match(names: names, wanted: wanted, file: file, dialect: dialect, firstRow: rows.first)
        if dialect.separator != 0x2C { dialect.notes.append("separator \(dialect.separatorName)") }
        if dialect.quoted { dialect.notes.append("quoted fields") }
        try detectDecimalComma(rows: rows, sample: sample, columns: matched.indices.dropFirst(), names: names,
                               dialect: &dialect, file: file)
        dialect.time = try timeEncoding(rows: rows, sample: sample, timeIndex: matched.indices[0],
                                        clockField: matched.clockField, names: names, file: file)
        if dialect.time != .iso { dialect.notes.append(dialect.time.summary) }
        dialect.notes += matched.notes
        dialect.columns = zip(wanted, matched.indices).map { column, index in
            guard index >= 0 else { return "\(column.name) = none" }
            let name = "\(column.name) = \"\(TextExcerpt.of(names[index]))\" (field \(index + 1))"
            if column.name == timeColumn.name, let clock = matched.clockField {
                return name + " + \"\(TextExcerpt.of(names[clock]))\" (field \(clock + 1))"
            }
            return name
        }
        dialect.newestFirst = isNewestFirst(rows: rows, timeIndex: matched.indices[0], dialect: dialect)
        if dialect.newestFirst { dialect.notes.append("newest first (rows reversed to oldest first)") }
        return CSVHeader(names: names, fieldIndex: matched.indices, dataStart: dataStart, line: line, dialect: dialect)
    }

    // MARK: - Lines and fields

    /// Walks lines of the buffer; the text of each line excludes `\n` and a `\r` before it.
    struct LineReader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        var number = 0

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
            if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { position = 3 }
        }

        /// The next line that is not blank, or nil at the end.
        mutating func nextNonBlank() -> (number: Int, text: String)? {
            while position < bytes.count {
                var end = position
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                guard end < bytes.count else { return nil }
                number += 1
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
                position = end + 1
                if !text.allSatisfy({ $0 == " " || $0 == "\r" || $0 == "\t" }) {
                    return (number, text.hasSuffix("\r") ? String(text.dropLast()) : text)
                }
            }
            return nil
        }
    }

    /// The separator of a header line: whichever of `,`, `;` and tab occurs most (outside quotes), comma on a tie.
    private static func separator(of line: String) -> UInt8 {
        var counts: [UInt8: Int] = [0x2C: 0, 0x3B: 0, 0x09: 0]
        var inQuotes = false
        for byte in line.utf8 {
            if byte == 0x22 {
                inQuotes.toggle()
            } else if !inQuotes, let count = counts[byte] {
                counts[byte] = count + 1
            }
        }
        let comma = counts[0x2C] ?? 0, semicolon = counts[0x3B] ?? 0, tab = counts[0x09] ?? 0
        if semicolon > comma && semicolon >= tab { return 0x3B }
        if tab > comma && tab > semicolon { return 0x09 }
        return 0x2C
    }

    /// The fields of a line, split at `separator` outside double quotes (quotes kept; `clean` removes them).
    static func split(_ line: String, _ separator: UInt8) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        for byte in line.utf8 {
            if byte == 0x22 { inQuotes.toggle() }
            if byte == separator && !inQuotes {
                fields.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
            }
        }
        fields.append(String(decoding: current, as: UTF8.self))
        return fields
    }

    /// A field without surrounding spaces, double quotes and angle brackets (`<CLOSE>`).
    static func clean(_ field: String) -> String {
        var s = trimmed(Substring(field), [" ", "\t", "\r"])
        if s.count >= 2 && s.first == "\"" && s.last == "\"" { s = trimmed(s.dropFirst().dropLast(), [" ", "\t"]) }
        if s.count >= 2 && s.first == "<" && s.last == ">" { s = String(s.dropFirst().dropLast()) }
        return s
    }

    /// `text` without the given characters at either end.
    private static func trimmed(_ text: Substring, _ characters: Set<Character>) -> String {
        guard let first = text.firstIndex(where: { !characters.contains($0) }),
              let last = text.lastIndex(where: { !characters.contains($0) })
        else { return "" }
        return String(text[first...last])
    }
}
