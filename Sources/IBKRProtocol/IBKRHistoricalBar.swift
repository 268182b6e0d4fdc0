/// One bar of `historicalData` (17) or `historicalDataUpdate` (90).
public struct IBKRHistoricalBar: Sendable, Hashable {
    /// The bar's start: `yyyymmdd hh:mm:ss <zone>` (formatDate 1), `yyyymmdd` for daily bars, or epoch seconds
    /// (formatDate 2).
    public var date: String
    /// Open.
    public var open: Double
    /// High.
    public var high: Double
    /// Low.
    public var low: Double
    /// Close.
    public var close: Double
    /// Volume (nil when unset).
    public var volume: IBKRDecimal?
    /// Volume-weighted average price (nil when unset).
    public var wap: IBKRDecimal?
    /// Number of trades (-1 in updates when unknown).
    public var barCount: Int

    /// A bar.
    public init(date: String, open: Double, high: Double, low: Double, close: Double, volume: IBKRDecimal?,
                wap: IBKRDecimal?, barCount: Int) {
        self.date = date
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.wap = wap
        self.barCount = barCount
    }

    /// A bar of `historicalData`: date, open, high, low, close, volume, wap, barCount.
    init(historyReader reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        date = try reader.string("date")
        open = try reader.double("open")
        high = try reader.double("high")
        low = try reader.double("low")
        close = try reader.double("close")
        volume = try reader.decimal("volume")
        wap = try reader.decimal("wap")
        barCount = try reader.int("barCount")
    }

    /// The bar of `historicalDataUpdate`, whose order differs: barCount, date, open, close, high, low, wap, volume.
    init(updateReader reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        barCount = try reader.int("barCount")
        date = try reader.string("date")
        open = try reader.double("open")
        close = try reader.double("close")
        high = try reader.double("high")
        low = try reader.double("low")
        wap = try reader.decimal("wap")
        volume = try reader.decimal("volume")
    }
}
