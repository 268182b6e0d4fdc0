import TradingCore
/// Loads and validates `Time,Open,High,Low,Close,Volume` CSV files.
///
/// Formats, rules and messages are described in docs/data.md. In short: the header names the columns (any
/// order, case-insensitive, extra columns ignored; `Date`/`Datetime`/`Timestamp` or an unnamed first column
/// for the time); every row must have finite positive prices with `Low ≤ min(Open, Close)` and
/// `High ≥ max(Open, Close)`, a finite volume ≥ 0, and a time later than the previous row's. A violation
/// fails the load with an error naming file, line and column, or, with `.skip`, drops the row and reports it.
///
/// The file is read in one go and parsed straight from its bytes (no per-field strings).
public enum BarCSVLoader {
    private static let columns: [CSVHeader.Column] = [
        CSVHeader.timeColumn,
        .init(name: "Open", aliases: ["open"]),
        .init(name: "High", aliases: ["high"]),
        .init(name: "Low", aliases: ["low"]),
        .init(name: "Close", aliases: ["close"]),
        .init(name: "Volume", aliases: ["volume"]),
    ]

    /// Loads the bars file at `path`; the series gets `symbol`.
    public static func load(path: String, symbol: String, onBadRow: BadRowPolicy = .fail) throws -> BarLoadResult {
        try parse(FileContents(path: path), file: path, symbol: symbol, onBadRow: onBadRow)
    }

    /// Parses bars CSV text already in memory; `file` names it in messages.
    public static func parse(text: String, file: String, symbol: String, onBadRow: BadRowPolicy = .fail) throws
        -> BarLoadResult
    {
        try parse(FileContents(text: text, file: file), file: file, symbol: symbol, onBadRow: onBadRow)
    }

    private static func parse(_ contents: FileContents, file: String, symbol: String, onBadRow: BadRowPolicy)
        throws(DataLoadError) -> BarLoadResult
    {
        let buffer = contents.buffer
        let header = try CSVHeader.parse(buffer, file: file, wanted: columns)
        guard let base = buffer.baseAddress else { throw .empty(file) }
        var rows = CSVRowScanner(bytes: base, count: buffer.count, header: header)
        defer { rows.deallocate() }
        var reader = RowReader(header: header, file: file, onBadRow: onBadRow)
        let capacity = contents.newlineCount(from: header.dataStart)
        let series = withExtendedLifetime(contents) {
            BarColumns.fill(symbol: symbol, capacity: capacity) { columns in
                reader.readAll(&rows, into: &columns)
            }
        }
        let skipped = reader.skipped
        if let failure = reader.failure { throw failure }
        guard !series.isEmpty else { throw .noRows(file, line: header.line, skipped: skipped) }
        return BarLoadResult(series: series, skipped: skipped, barsPerYear: BarsPerYear.infer(times: series.time))
    }

    /// Reads and validates one row against the previous accepted one.
    private struct RowReader {
        let header: CSVHeader
        let timeIndex: Int, openIndex: Int, highIndex: Int, lowIndex: Int, closeIndex: Int, volumeIndex: Int
        let timeName: String, openName: String, highName: String, lowName: String, closeName: String,
            volumeName: String
        let file: String
        let onBadRow: BadRowPolicy
        var lastTime = Int64.min
        var lastLine = 0
        /// Rows skipped so far (with `.skip`).
        var skipped: [DataIssue] = []
        /// The first bad row's error (with `.fail`).
        var failure: DataLoadError?

        init(header: CSVHeader, file: String, onBadRow: BadRowPolicy) {
            self.header = header
            self.file = file
            self.onBadRow = onBadRow
            timeIndex = header.fieldIndex[0]
            openIndex = header.fieldIndex[1]
            highIndex = header.fieldIndex[2]
            lowIndex = header.fieldIndex[3]
            closeIndex = header.fieldIndex[4]
            volumeIndex = header.fieldIndex[5]
            timeName = header.names[timeIndex].isEmpty ? "Time" : header.names[timeIndex]
            openName = header.names[openIndex]
            highName = header.names[highIndex]
            lowName = header.names[lowIndex]
            closeName = header.names[closeIndex]
            volumeName = header.names[volumeIndex]
        }

        /// Reads every remaining row into `columns`, stopping at the first bad row unless skipping.
        mutating func readAll(_ rows: inout CSVRowScanner, into columns: inout BarColumns) {
            while rows.next() {
                do throws(RowProblem) {
                    let bar = try read(rows)
                    guard columns.append(bar) else { return }
                    lastTime = bar.time
                    lastLine = rows.line
                } catch {
                    let issue = error.issue(file: file, line: rows.line)
                    guard onBadRow == .skip else {
                        failure = .badRow(issue)
                        return
                    }
                    skipped.append(issue)
                }
            }
        }

        /// The row as a bar if it is valid; otherwise the problem (found by `diagnose`, off the fast path).
        @inline(__always)
        func read(_ rows: CSVRowScanner) throws(RowProblem) -> Bar {
            guard rows.fieldCount == header.fieldCount else { throw diagnose(rows) }
            let bytes = rows.bytes
            var r = rows.range(timeIndex)
            guard let time = Timestamps.parse(bytes, r.start, r.end) else { throw diagnose(rows) }
            r = rows.range(openIndex)
            let open = DecimalParser.parse(bytes, r.start, r.end) ?? .nan
            r = rows.range(highIndex)
            let high = DecimalParser.parse(bytes, r.start, r.end) ?? .nan
            r = rows.range(lowIndex)
            let low = DecimalParser.parse(bytes, r.start, r.end) ?? .nan
            r = rows.range(closeIndex)
            let close = DecimalParser.parse(bytes, r.start, r.end) ?? .nan
            r = rows.range(volumeIndex)
            let volume = DecimalParser.parse(bytes, r.start, r.end) ?? .nan
            // Comparisons with NaN are false, so a NaN anywhere fails this test.
            let valid = open > 0 && close > 0 && low > 0 && high < .infinity && high >= low
                && high >= max(open, close) && low <= min(open, close) && volume >= 0 && volume < .infinity
                && time > lastTime
            guard valid else { throw diagnose(rows) }
            return Bar(time: time, open: open, high: high, low: low, close: close, volume: volume)
        }

        /// Why a row that failed the fast check is invalid, checking field by field in column order.
        @inline(never)
        private func diagnose(_ rows: CSVRowScanner) -> RowProblem {
            do throws(RowProblem) {
                try rows.checkFieldCount(header)
                let time = try rows.time(timeIndex, column: timeName)
                let open = try rows.number(openIndex, column: openName)
                let high = try rows.number(highIndex, column: highName)
                let low = try rows.number(lowIndex, column: lowName)
                let close = try rows.number(closeIndex, column: closeName)
                let volume = try rows.number(volumeIndex, column: volumeName)
                for (name, value) in [(openName, open), (highName, high), (lowName, low), (closeName, close)]
                where !(value > 0) {
                    return RowProblem(column: name, message: "\(name) \(value) is not positive")
                }
                if volume < 0 { return RowProblem(column: volumeName, message: "\(volumeName) \(volume) is negative") }
                if high < low {
                    return RowProblem(column: highName, message: "\(highName) \(high) is below \(lowName) \(low)")
                }
                if high < max(open, close) {
                    return RowProblem(column: highName, message: "\(highName) \(high) is below "
                        + "max(\(openName), \(closeName)) \(max(open, close))")
                }
                if low > min(open, close) {
                    return RowProblem(column: lowName, message: "\(lowName) \(low) is above "
                        + "min(\(openName), \(closeName)) \(min(open, close))")
                }
                if time <= lastTime { return orderProblem(time: time, rows: rows) }
                return RowProblem(column: nil, message: "invalid row")
            } catch {
                return error
            }
        }

        private func orderProblem(time: Int64, rows: CSVRowScanner) -> RowProblem {
            if time == lastTime {
                return RowProblem(column: timeName,
                                  message: "duplicate time \(rows.text(timeIndex)): line \(lastLine) has the same time")
            }
            return RowProblem(column: timeName,
                              message: "time \(rows.text(timeIndex)) is earlier than line \(lastLine)'s "
                                  + "\(Timestamps.iso8601(lastTime)); rows must be in increasing time order")
        }
    }
}
