/// A `realtimeBar` message (50): one 5-second bar of a `reqRealTimeBars` subscription.
public struct IBKRRealTimeBar: Sendable, Hashable {
    /// The subscription's request id.
    public var reqId: Int
    /// The bar's start, epoch seconds.
    public var time: Int64
    /// Open.
    public var open: Double
    /// High.
    public var high: Double
    /// Low.
    public var low: Double
    /// Close.
    public var close: Double
    /// Volume (nil when TWS leaves it unset, e.g. for MIDPOINT).
    public var volume: IBKRDecimal?
    /// Volume-weighted average price (nil when unset).
    public var wap: IBKRDecimal?
    /// Number of trades.
    public var count: Int

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        try reader.skip("version")
        reqId = try reader.int("reqId")
        time = Int64(try reader.int("time"))
        open = try reader.double("open")
        high = try reader.double("high")
        low = try reader.double("low")
        close = try reader.double("close")
        volume = try reader.decimal("volume")
        wap = try reader.decimal("wap")
        count = try reader.int("count")
    }
}

extension IBKRRealTimeBar {
    /// A 5-second bar starting at `time` (epoch seconds).
    public init(reqId: Int, time: Int64, open: Double, high: Double, low: Double, close: Double,
                volume: IBKRDecimal?, wap: IBKRDecimal?, count: Int) {
        self.reqId = reqId
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
        self.wap = wap
        self.count = count
    }
}
