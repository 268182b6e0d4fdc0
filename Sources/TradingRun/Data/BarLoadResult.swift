import TradingCore
/// The outcome of loading a bars file.
public struct BarLoadResult: Sendable {
    public var series: BarSeries
    /// Rows skipped under `BadRowPolicy.skip`, in file order.
    public var skipped: [DataIssue]
    /// Bars per year inferred from the timestamps (`BarsPerYear.infer`), used to annualise returns.
    public var barsPerYear: Double
    /// How the file is written, as detected from its header and first rows.
    public var format: CSVDialect

    public init(series: BarSeries, skipped: [DataIssue], barsPerYear: Double, format: CSVDialect = CSVDialect()) {
        self.series = series
        self.skipped = skipped
        self.barsPerYear = barsPerYear
        self.format = format
    }
}
