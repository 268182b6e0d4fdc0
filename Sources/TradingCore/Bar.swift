/// One OHLCV bar. `time` is the bar's timestamp as read from the data file, in nanoseconds since
/// 1970-01-01T00:00:00 (UTC when the file gave a zone or offset; otherwise the clock the file was written in).
public struct Bar: Sendable, Hashable {
    public var time: Int64
    public var open: Double
    public var high: Double
    public var low: Double
    public var close: Double
    public var volume: Double

    public init(time: Int64, open: Double, high: Double, low: Double, close: Double, volume: Double) {
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}
