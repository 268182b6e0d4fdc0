import TradingCore
/// The outcome of loading a bars file.
public struct BarLoadResult: Sendable {
    public var series: BarSeries
    /// Rows skipped under `BadRowPolicy.skip`, in file order.
    public var skipped: [DataIssue]
    /// Bars per year inferred from the timestamps (`BarsPerYear.infer`), used to annualise returns.
    public var barsPerYear: Double

    public init(series: BarSeries, skipped: [DataIssue], barsPerYear: Double) {
        self.series = series
        self.skipped = skipped
        self.barsPerYear = barsPerYear
    }
}
