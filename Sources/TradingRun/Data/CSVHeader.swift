import TradingCore
/// The header line of a CSV data file, mapped to the columns a loader needs.
///
/// Column names are matched case-insensitively after trimming spaces and surrounding double quotes; columns in
/// any order; unknown columns are ignored. The time column may be named `Time`, `Date`, `Datetime` or
/// `Timestamp`, or be the unnamed first column of a pandas export (`,Open,High,...`).
struct CSVHeader {
    /// A column a loader needs: its display name and the lowercase names that select it.
    struct Column {
        var name: String
        var aliases: [String]
    }

    static let timeColumn = Column(name: "Time", aliases: ["time", "date", "datetime", "timestamp"])

    /// Field names as written, trimmed.
    let names: [String]
    /// For each wanted column (same order), its field index.
    let fieldIndex: [Int]
    /// Byte offset where the first data line starts.
    let dataStart: Int
    /// 1-based line number of the header line.
    let line: Int

    var fieldCount: Int { names.count }

    /// Reads the header from `bytes` (terminated by `\n`, see `FileBytes`), skipping a UTF-8 byte-order mark
    /// and blank lines before it. `wanted[0]` must be the time column.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String, wanted: [Column]) throws(DataLoadError)
        -> CSVHeader
    {
        var position = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { position = 3 }
        var line = 1
        // Skip blank lines before the header.
        while true {
            var end = position
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            guard end < bytes.count else { throw .empty(file) }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self)
            if text.allSatisfy({ $0 == " " || $0 == "\r" || $0 == "\t" }) {
                line += 1
                position = end + 1
                continue
            }
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map { Self.clean($0) }
            let indices = try match(names: names, wanted: wanted, file: file)
            return CSVHeader(names: names, fieldIndex: indices, dataStart: end + 1, line: line)
        }
    }

    private static func clean(_ field: Substring) -> String {
        var s = trimmed(field, [" ", "\t", "\r"])
        if s.count >= 2 && s.first == "\"" && s.last == "\"" { s = String(s.dropFirst().dropLast()) }
        return trimmed(Substring(s), [" ", "\t"])
    }

    /// `text` without the given characters at either end.
    private static func trimmed(_ text: Substring, _ characters: Set<Character>) -> String {
        guard let first = text.firstIndex(where: { !characters.contains($0) }),
              let last = text.lastIndex(where: { !characters.contains($0) })
        else { return "" }
        return String(text[first...last])
    }

    private static func match(names: [String], wanted: [Column], file: String) throws(DataLoadError) -> [Int] {
        let lowered = names.map { $0.lowercased() }
        var indices: [Int] = []
        var missing: [String] = []
        for column in wanted {
            let matches = lowered.indices.filter { column.aliases.contains(lowered[$0]) }
            if matches.count > 1 {
                let list = matches.map { "\"\(TextExcerpt.of(names[$0]))\" (field \($0 + 1))" }
                    .joined(separator: ", ")
                throw .badHeader(file, "bad header: more than one \(column.name) column: \(list)")
            }
            if let index = matches.first {
                indices.append(index)
            } else if column.name == timeColumn.name && !names.isEmpty && names[0].isEmpty {
                indices.append(0)  // pandas writes the index as an unnamed first column
            } else {
                missing.append(column.name)
            }
        }
        guard missing.isEmpty else {
            var message = "bad header: missing column\(missing.count > 1 ? "s" : "") "
                + missing.joined(separator: ", ") + " (header is \"" + TextExcerpt.of(names.joined(separator: ",")) + "\")"
            if let first = names.first, Timestamps.parse(first) != nil {
                message += "; the first line looks like data: the file needs a header line such as \""
                    + wanted.map(\.name).joined(separator: ",") + "\""
            }
            throw .badHeader(file, message)
        }
        return indices
    }
}
