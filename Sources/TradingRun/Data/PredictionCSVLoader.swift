import TradingCore
/// Loads cached-predictions CSV files (`Time,predicted_price,predicted_return`, other columns ignored) and
/// joins them to bars.
///
/// A row stamped t is a prediction made at bar t's close for the next bar's return. The header rules, time
/// formats and error messages are those of `BarCSVLoader` (see docs/data.md); values must be finite and times
/// strictly increasing.
public enum PredictionCSVLoader {
    private static let columns: [CSVHeader.Column] = [
        CSVHeader.timeColumn,
        .init(name: "predicted_price", aliases: ["predicted_price"]),
        .init(name: "predicted_return", aliases: ["predicted_return"]),
    ]

    /// Loads the predictions file at `path`.
    public static func load(path: String, onBadRow: BadRowPolicy = .fail) throws
        -> (predictions: [Prediction], skipped: [DataIssue])
    {
        try parse(FileContents(path: path), file: path, onBadRow: onBadRow)
    }

    /// Parses predictions CSV text already in memory; `file` names it in messages.
    public static func parse(text: String, file: String, onBadRow: BadRowPolicy = .fail) throws
        -> (predictions: [Prediction], skipped: [DataIssue])
    {
        try parse(FileContents(text: text, file: file), file: file, onBadRow: onBadRow)
    }

    /// Joins predictions to bars by exact time: one value per bar, `.nan` where a bar has no prediction.
    public static func align(_ predictions: [Prediction], to bars: BarSeries) -> (predictedReturns: [Double], missing: Int) {
        let joined = alignment(predictions, to: bars)
        return (joined.predictedReturns, joined.missingBars)
    }

    /// Joins predictions to bars by exact time with a merge walk (both are in increasing time order), counting
    /// bars without a prediction and predictions without a bar.
    public static func alignment(_ predictions: [Prediction], to bars: BarSeries) -> PredictionAlignment {
        var returns = [Double](repeating: .nan, count: bars.count)
        var prices = [Double](repeating: .nan, count: bars.count)
        var matched = 0
        var withinBars = 0
        var firstBarWithout: Int64?
        var firstPredictionWithout: Int64?
        var p = 0
        if let first = bars.time.first {
            while p < predictions.count && predictions[p].time < first { p += 1 }
        }
        for b in 0..<bars.count {
            let t = bars.time[b]
            while p < predictions.count && predictions[p].time < t {
                if firstPredictionWithout == nil { firstPredictionWithout = predictions[p].time }
                withinBars += 1
                p += 1
            }
            if p < predictions.count && predictions[p].time == t {
                returns[b] = predictions[p].predictedReturn
                prices[b] = predictions[p].predictedPrice
                matched += 1
                withinBars += 1
                p += 1
            } else if firstBarWithout == nil {
                firstBarWithout = t
            }
        }
        return PredictionAlignment(predictedReturns: returns, predictedPrices: prices,
                                   missingBars: bars.count - matched, unmatchedPredictions: predictions.count - matched,
                                   predictionsWithinBars: withinBars, firstBarWithoutPrediction: firstBarWithout,
                                   firstPredictionWithoutBar: firstPredictionWithout)
    }

    private static func parse(_ contents: FileContents, file: String, onBadRow: BadRowPolicy)
        throws(DataLoadError) -> (predictions: [Prediction], skipped: [DataIssue])
    {
        try withExtendedLifetime(contents) { () throws(DataLoadError) -> ([Prediction], [DataIssue]) in
            let buffer = contents.buffer
            let header = try CSVHeader.parse(buffer, file: file, wanted: columns)
            guard let base = buffer.baseAddress else { throw .empty(file) }
            var rows = CSVRowScanner(bytes: base, count: buffer.count, header: header)
            defer { rows.deallocate() }
            let timeIndex = header.fieldIndex[0], priceIndex = header.fieldIndex[1], returnIndex = header.fieldIndex[2]
            let timeName = header.names[timeIndex].isEmpty ? "Time" : header.names[timeIndex]
            let priceName = header.names[priceIndex], returnName = header.names[returnIndex]
            var predictions: [Prediction] = []
            var skipped: [DataIssue] = []
            var lastTime = Int64.min
            var lastLine = 0
            // A newest-first file (detected from its first rows) must decrease throughout; it is reversed at the end.
            let order: Int64 = header.dialect.newestFirst ? -1 : 1
            while rows.next() {
                do throws(RowProblem) {
                    try rows.checkFieldCount(header)
                    let time = try rows.time(timeIndex, column: timeName)
                    let price = try rows.number(priceIndex, column: priceName)
                    let predictedReturn = try rows.number(returnIndex, column: returnName)
                    if time &* order == lastTime {
                        throw RowProblem(column: timeName, message: "duplicate time \(rows.text(timeIndex)): "
                            + "line \(lastLine) has the same time")
                    }
                    if time &* order < lastTime {
                        throw RowProblem(column: timeName, message: "time \(rows.text(timeIndex)) is "
                            + (order < 0 ? "later" : "earlier") + " than line \(lastLine)'s "
                            + "\(Timestamps.iso8601(lastTime &* order)); rows must be in "
                            + (order < 0 ? "decreasing time order (the file is newest first)" : "increasing time order"))
                    }
                    predictions.append(Prediction(time: time, predictedPrice: price, predictedReturn: predictedReturn))
                    lastTime = time &* order
                    lastLine = rows.line
                } catch {
                    let issue = error.issue(file: file, line: rows.line)
                    guard onBadRow == .skip else { throw .badRow(issue) }
                    skipped.append(issue)
                }
            }
            guard !predictions.isEmpty else { throw .noRows(file, line: header.line, skipped: skipped) }
            return (order < 0 ? predictions.reversed() : predictions, skipped)
        }
    }
}
