import TradingCore
/// The dialect detection of `CSVHeader`: yfinance's header rows, column matching, decimal commas, the time
/// encoding and the row order, all from the header and the first `sampleRows` data rows (never per row).
extension CSVHeader {
    /// The wanted columns' field indices, a separate clock field if any, and notes on what was matched.
    struct Match {
        var indices: [Int]
        var clockField: Int?
        var notes: [String]
    }

    /// yfinance ≥ 0.2.51 writes `Price,Close,...` / `Ticker,AAPL,...` / `Date,,,...`: consumes the second and
    /// third lines and returns the time column's name, the last header line and the ticker; nil for other files.
    static func yfinanceHeader(names: [String], lines: inout LineReader, dialect: CSVDialect, file: String)
        throws(DataLoadError) -> (timeName: String, lastLine: Int, ticker: String)?
    {
        guard names.first?.lowercased() == "price" else { return nil }
        var probe = lines
        guard let second = probe.nextNonBlank() else { return nil }
        let tickerFields = split(second.text, dialect.separator).map(clean)
        guard tickerFields.first?.lowercased() == "ticker" else { return nil }
        let tickers = tickerFields.dropFirst().filter { !$0.isEmpty }.reduce(into: [String]()) { list, t in
            if !list.contains(t) { list.append(t) }
        }
        if tickers.count > 1 {
            let listed = tickers.prefix(5).joined(separator: ", ")
            throw .format(file, line: second.number, "yfinance export with several tickers (\(listed))"
                + ": the loader reads one instrument per file; download one ticker, or write one with "
                + "python3 -c \"import pandas as pd; df = pd.read_csv('\(file)', header=[0, 1], index_col=0); "
                + "df.xs('\(tickers[0])', axis=1, level=1).to_csv('\(tickers[0]).csv')\"")
        }
        lines = probe
        var timeName = "Date"
        var lastLine = second.number
        var third = lines
        if let row = third.nextNonBlank() {
            let fields = split(row.text, dialect.separator).map(clean)
            if let name = fields.first, CSVHeader.timeColumn.aliases.contains(name.lowercased()),
               fields.dropFirst().allSatisfy(\.isEmpty) {
                timeName = name
                lastLine = row.number
                lines = third
            }
        }
        return (timeName, lastLine, tickers.first ?? "?")
    }

    /// Maps wanted columns to fields: the time column by any alias (a `Date` plus a `Time` column holding clock
    /// times make one time), the others by their aliases in order of preference.
    static func match(names: [String], wanted: [Column], file: String, dialect: CSVDialect, firstRow: [String]?)
        throws(DataLoadError) -> Match
    {
        let lowered = names.map { $0.lowercased() }
        var result = Match(indices: [], clockField: nil, notes: [])
        var missing: [String] = []
        for column in wanted {
            if column.name == timeColumn.name {
                let matches = lowered.indices.filter { column.aliases.contains(lowered[$0]) }
                if matches.count == 2, let date = matches.first(where: { lowered[$0] == "date" }),
                   let clock = matches.first(where: { lowered[$0] == "time" }),
                   let row = firstRow, clock < row.count, LooseTime.isClock(clean(row[clock])) {
                    result.indices.append(date)
                    result.clockField = clock
                } else if matches.count > 1 {
                    let list = matches.map { "\"\(TextExcerpt.of(names[$0]))\" (field \($0 + 1))" }
                        .joined(separator: ", ")
                    throw .badHeader(file, "bad header: more than one \(column.name) column: \(list)")
                } else if let index = matches.first {
                    result.indices.append(index)
                } else if !names.isEmpty && names[0].isEmpty {
                    result.indices.append(0)  // pandas writes the index as an unnamed first column
                } else {
                    missing.append(column.name)
                }
                continue
            }
            var found: Int?
            for alias in column.aliases {
                let matches = lowered.indices.filter { lowered[$0] == alias }
                if matches.count > 1 {
                    let list = matches.map { "\"\(TextExcerpt.of(names[$0]))\" (field \($0 + 1))" }
                        .joined(separator: ", ")
                    throw .badHeader(file, "bad header: more than one \(column.name) column: \(list)")
                }
                if let index = matches.first {
                    found = index
                    break
                }
            }
            if let index = found {
                result.indices.append(index)
                if lowered[index] != column.name.lowercased() {
                    result.notes.append("\(column.name) from column \(names[index])")
                }
            } else if column.optional {
                result.indices.append(-1)
                result.notes.append("no \(column.name) column (\(column.name) 0)")
            } else {
                missing.append(column.name)
            }
        }
        guard missing.isEmpty else {
            var message = "bad header: missing column\(missing.count > 1 ? "s" : "") "
                + missing.joined(separator: ", ") + " (header is \""
                + TextExcerpt.of(names.joined(separator: String(UnicodeScalar(dialect.separator)))) + "\")"
            if let first = names.first, looksLikeTime(first) {
                let separator = String(UnicodeScalar(dialect.separator))
                var header = wanted.map(\.name)
                if names.count == wanted.count + 1, names.count > 1, LooseTime.isClock(names[1]) {
                    header = ["Date"] + header  // date and clock in two fields, as MetaTrader 4 writes them
                }
                let line = header.joined(separator: separator == "\t" ? "\\t" : separator)
                message += "; the first line looks like data: the file needs a header line; add one with "
                    + "sed -i '1i \(line)' \(file)"
            }
            throw .badHeader(file, message)
        }
        return result
    }

    /// Whether a header's first field is a time (the file has no header line).
    private static func looksLikeTime(_ text: String) -> Bool {
        Timestamps.parse(text) != nil || LooseTime.parse(text, zone: nil) != nil
            || (text.count >= 9 && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber))
    }

    /// Sets `decimalComma` when the numeric fields of a `;`- or tab-separated file (or quoted fields) use a decimal
    /// comma; refuses numbers with both `.` and `,` (thousands separators).
    static func detectDecimalComma(rows: [[String]], sample: [(number: Int, text: String)], columns: ArraySlice<Int>,
                                   names: [String], dialect: inout CSVDialect, file: String) throws(DataLoadError)
    {
        for (r, row) in rows.enumerated() {
            for index in columns where index >= 0 && index < row.count {
                let field = clean(row[index])
                let hasComma = field.contains(","), hasDot = field.contains(".")
                if hasComma && hasDot {
                    // The mark written last is the decimal one: 1.234,50 or 1,234.50.
                    let commaLast = (field.lastIndex(of: ",") ?? field.startIndex)
                        > (field.lastIndex(of: ".") ?? field.startIndex)
                    let (decimal, thousands) = commaLast ? (",", ".") : (".", ",")
                    let separator = dialect.separator == 0x09 ? "\\t" : String(UnicodeScalar(dialect.separator))
                    throw .format(file, line: sample[r].number, "column \(names[index]): \"\(TextExcerpt.of(field))\" "
                        + "has both '.' and ',': thousands separators are not supported; remove them, e.g. with "
                        + "python3 -c \"import pandas as pd; pd.read_csv('\(file)', sep='\(separator)', "
                        + "decimal='\(decimal)', thousands='\(thousands)').to_csv('clean.csv', index=False)\"")
                }
                if hasComma && field.allSatisfy({ $0.isNumber || $0 == "," || $0 == "-" || $0 == "+" }) {
                    dialect.decimalComma = true
                }
            }
        }
        if dialect.decimalComma { dialect.notes.append("decimal comma") }
    }

    /// The time encoding, from the first data row's time field.
    static func timeEncoding(rows: [[String]], sample: [(number: Int, text: String)], timeIndex: Int, clockField: Int?,
                             names: [String], file: String) throws(DataLoadError) -> CSVTimeEncoding
    {
        if let clockField { return .dateAndClock(clockField: clockField) }
        guard let row = rows.first, timeIndex < row.count else { return .iso }
        let field = clean(row[timeIndex])
        if Timestamps.parse(field) != nil { return .iso }
        let column = names[timeIndex].isEmpty ? "Time" : names[timeIndex]
        if !field.isEmpty && field.allSatisfy({ $0.isASCII && $0.isNumber }) {
            switch field.count {
            case 8 where LooseTime.parse(field, zone: nil) != nil: return .loose(zone: nil)
            case 9...11: return .epochSeconds
            case 12...14: return .epochMilliseconds
            default:
                throw .format(file, line: sample[0].number, "column \(column): cannot tell what time \(field) is: "
                    + "expected epoch seconds (10 digits), epoch milliseconds (13 digits) or a yyyyMMdd date; "
                    + "write ISO times, e.g. python3 -c \"import pandas as pd; df = pd.read_csv('\(file)'); "
                    + "df['\(column)'] = pd.to_datetime(df['\(column)'], unit='s'); "
                    + "df.to_csv('iso.csv', index=False)\" "
                    + "(unit='s', 'ms', 'us' or 'ns' as the numbers are)")
            }
        }
        if LooseTime.parse(field, zone: nil) != nil { return .loose(zone: nil) }
        if let space = field.lastIndex(of: " ") {
            let zone = String(field[field.index(after: space)...])
            let rest = String(field[..<space])
            if zone.contains(where: \.isLetter), LooseTime.parse(rest, zone: nil) != nil {
                return .loose(zone: zone)
            }
        }
        if isDayOrMonthFirst(field) {
            throw .format(file, line: sample[0].number, "column \(column): \"\(TextExcerpt.of(field))\" is a "
                + "day-first or month-first date, which is ambiguous; write ISO times (yyyy-MM-dd HH:mm:ss), e.g. "
                + "python3 -c \"import pandas as pd; df = pd.read_csv('\(file)'); df['\(column)'] = "
                + "pd.to_datetime(df['\(column)'], dayfirst=True); df.to_csv('iso.csv', index=False)\" "
                + "(dayfirst=False for month-first)")
        }
        return .iso  // not a time at all: the row is reported as bad with the usual message
    }

    /// `dd.MM.yyyy`, `MM/dd/yyyy` and the like, with or without a time after them.
    private static func isDayOrMonthFirst(_ field: String) -> Bool {
        let date = field.split(separator: " ").first.map(String.init) ?? field
        let parts = date.split(whereSeparator: { $0 == "." || $0 == "/" || $0 == "-" })
        return parts.count == 3 && parts[0].count <= 2 && parts[1].count <= 2 && parts[2].count == 4
            && parts.allSatisfy { $0.allSatisfy(\.isNumber) }
    }

    /// True when the sampled rows' times mostly decrease.
    static func isNewestFirst(rows: [[String]], timeIndex: Int, dialect: CSVDialect) -> Bool {
        var times: [Int64] = []
        for row in rows where timeIndex < row.count {
            var text = clean(row[timeIndex])
            if case .dateAndClock(let clockField) = dialect.time {
                guard clockField < row.count else { continue }
                text += " " + clean(row[clockField])
            }
            if let t = sampleTime(text, dialect.time) { times.append(t) }
        }
        guard times.count >= 2 else { return false }
        var up = 0, down = 0
        for k in 1..<times.count {
            if times[k] > times[k - 1] { up += 1 } else if times[k] < times[k - 1] { down += 1 }
        }
        return down > up
    }

    private static func sampleTime(_ text: String, _ encoding: CSVTimeEncoding) -> Int64? {
        switch encoding {
        case .iso: return Timestamps.parse(text)
        case .loose(let zone): return LooseTime.parse(text, zone: zone)
        case .dateAndClock: return LooseTime.parse(text, zone: nil) ?? Timestamps.parse(text)
        case .epochSeconds, .epochMilliseconds: return Int64(text)
        }
    }
}
