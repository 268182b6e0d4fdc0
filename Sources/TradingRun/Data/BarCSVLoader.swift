import TradingCore
/// Loads and validates `Time,Open,High,Low,Close,Volume` CSV files.
///
/// Formats, rules and messages are described in docs/data.md. In short: the header names the columns (any
/// order, case-insensitive, extra columns ignored; `Date`/`Datetime`/`Timestamp` or an unnamed first column
/// for the time); every row must have finite positive prices with `Low ≤ min(Open, Close)` and
/// `High ≥ max(Open, Close)`, a finite volume ≥ 0, and a time later than the previous row's. A violation
/// fails the load with an error naming file, line and column, or, with `.skip`, drops the row and reports it.
///
/// The file's dialect — separator, decimal comma, quoting, time encoding, yfinance's header rows, a missing Volume
/// column, newest-first order — is detected from the header and the first rows (`CSVDialect`, returned in
/// `BarLoadResult.format`); a newest-first file is read and returned oldest first.
///
/// The file is read in one go and parsed straight from its bytes (no per-field strings).
public enum BarCSVLoader {
    private static let columns: [CSVHeader.Column] = [
        CSVHeader.timeColumn,
        .init(name: "Open", aliases: ["open"]),
        .init(name: "High", aliases: ["high"]),
        .init(name: "Low", aliases: ["low"]),
        .init(name: "Close", aliases: ["close"]),
        .init(name: "Volume", aliases: ["volume", "vol", "tickvol", "tick_volume", "real_volume"], optional: true),
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
        let ordered = header.dialect.newestFirst
            ? BarSeries(symbol: symbol, time: series.time.reversed(), open: series.open.reversed(),
                        high: series.high.reversed(), low: series.low.reversed(), close: series.close.reversed(),
                        volume: series.volume.reversed())
            : series
        return BarLoadResult(series: ordered, skipped: skipped, barsPerYear: BarsPerYear.infer(times: ordered.time),
                             format: header.dialect)
    }

    /// Reads and validates one row against the previous accepted one.
    private struct RowReader {
        let header: CSVHeader
        let timeIndex: Int, openIndex: Int, highIndex: Int, lowIndex: Int, closeIndex: Int, volumeIndex: Int
        let timeName: String, openName: String, highName: String, lowName: String, closeName: String,
            volumeName: String
        let file: String
        let onBadRow: BadRowPolicy
        /// 1 for a file in increasing time order, -1 for a newest-first one: rows must increase in `time × order`.
        let order: Int64
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
            order = header.dialect.newestFirst ? -1 : 1
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
            volumeName = volumeIndex >= 0 ? header.names[volumeIndex] : "Volume"
        }

        /// Reads every remaining row into `columns`, stopping at the first bad row unless skipping.
        mutating func readAll(_ rows: inout CSVRowScanner, into columns: inout BarColumns) {
            while rows.next() {
                do throws(RowProblem) {
                    let bar = try read(rows)
                    guard columns.append(bar) else { return }
                    lastTime = bar.time &* order
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
            guard let time = rows.timeValue(timeIndex) else { throw diagnose(rows) }
            let open = rows.numberValue(openIndex) ?? .nan
            let high = rows.numberValue(highIndex) ?? .nan
            let low = rows.numberValue(lowIndex) ?? .nan
            let close = rows.numberValue(closeIndex) ?? .nan
            let volume = volumeIndex >= 0 ? rows.numberValue(volumeIndex) ?? .nan : 0
            // Comparisons with NaN are false, so a NaN anywhere fails this test.
            let valid = open > 0 && close > 0 && low > 0 && high < .infinity && high >= low
                && high >= max(open, close) && low <= min(open, close) && volume >= 0 && volume < .infinity
                && time &* order > lastTime
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
                let volume = volumeIndex >= 0 ? try rows.number(volumeIndex, column: volumeName) : 0
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
                if time &* order <= lastTime { return orderProblem(time: time, rows: rows) }
                return RowProblem(column: nil, message: "invalid row")
            } catch {
                return error
            }
        }

        private func orderProblem(time: Int64, rows: CSVRowScanner) -> RowProblem {
            let last = lastTime &* order
            if time == last {
                return RowProblem(column: timeName,
                                  message: "duplicate time \(rows.text(timeIndex)): line \(lastLine) has the same time")
            }
            if order < 0 {
                return RowProblem(column: timeName,
                                  message: "time \(rows.text(timeIndex)) is later than line \(lastLine)'s "
                                      + "\(Timestamps.iso8601(last)); the file is newest first (detected from its "
                                      + "first rows), so rows must be in decreasing time order")
            }
            return RowProblem(column: timeName,
                              message: "time \(rows.text(timeIndex)) is earlier than line \(lastLine)'s "
                                  + "\(Timestamps.iso8601(last)); rows must be in increasing time order (sort "
                                  + "a file with ISO times with { head -n 1 F; tail -n +2 F | sort; } > sorted.csv)")
        }
    }
}
