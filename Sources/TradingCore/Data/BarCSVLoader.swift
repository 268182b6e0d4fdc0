/// What to do with a row that fails validation.
public enum BadRowPolicy: String, Sendable {
    /// Stop with an error naming file, line and column.
    case fail
    /// Skip the row and report it.
    case skip
}

/// A row skipped under `BadRowPolicy.skip`, or the reason a load failed.
public struct DataIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: String?
    public var message: String

    public init(file: String, line: Int, column: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "\(file):\(line)" + (column.map { ": column \($0)" } ?? "") + ": \(message)"
    }
}

/// The outcome of loading a bars file.
public struct BarLoadResult: Sendable {
    public var series: BarSeries
    /// Rows skipped under `BadRowPolicy.skip`, in file order.
    public var skipped: [DataIssue]
    /// Bars per year inferred from the timestamps, used to annualise returns.
    public var barsPerYear: Double

    public init(series: BarSeries, skipped: [DataIssue], barsPerYear: Double) {
        self.series = series
        self.skipped = skipped
        self.barsPerYear = barsPerYear
    }
}

/// Loads and validates `Time,Open,High,Low,Close,Volume` CSV files.
public enum BarCSVLoader {
    /// Interface placeholder: the loader lands in Data/.
    public static func load(path: String, symbol: String, onBadRow: BadRowPolicy = .fail) throws -> BarLoadResult {
        BarLoadResult(series: BarSeries(symbol: symbol), skipped: [], barsPerYear: 252 * 7)
    }
}

/// Loads cached-predictions CSV files (`Time,predicted_price,predicted_return`, other columns ignored).
public enum PredictionCSVLoader {
    /// Interface placeholder: the loader lands in Data/.
    public static func load(path: String, onBadRow: BadRowPolicy = .fail) throws -> (predictions: [Prediction], skipped: [DataIssue]) {
        ([], [])
    }

    /// Joins predictions to bars by exact time: one value per bar, `.nan` where a bar has no prediction.
    public static func align(_ predictions: [Prediction], to bars: BarSeries) -> (predictedReturns: [Double], missing: Int) {
        (Array(repeating: .nan, count: bars.count), bars.count)
    }
}
