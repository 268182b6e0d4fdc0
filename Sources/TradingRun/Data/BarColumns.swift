import TradingCore
/// Fills the six columns of a `BarSeries` in place, with no per-append checks and no final copy.
///
/// `fill` allocates each column with room for `capacity` bars and hands the loader raw pointers to them;
/// the arrays end up holding exactly the bars appended.
struct BarColumns {
    private let capacity: Int
    private(set) var count = 0
    private let time: UnsafeMutablePointer<Int64>
    private let open: UnsafeMutablePointer<Double>
    private let high: UnsafeMutablePointer<Double>
    private let low: UnsafeMutablePointer<Double>
    private let close: UnsafeMutablePointer<Double>
    private let volume: UnsafeMutablePointer<Double>

    /// Appends a bar; false (and nothing stored) when the columns are full.
    @inline(__always)
    mutating func append(_ bar: Bar) -> Bool {
        guard count < capacity else { return false }
        time[count] = bar.time
        open[count] = bar.open
        high[count] = bar.high
        low[count] = bar.low
        close[count] = bar.close
        volume[count] = bar.volume
        count += 1
        return true
    }

    /// A series of at most `capacity` bars, made by `body` appending to the columns it is given.
    static func fill(symbol: String, capacity: Int, _ body: (inout BarColumns) -> Void) -> BarSeries {
        let capacity = max(1, capacity)
        var count = 0
        var open: [Double] = [], high: [Double] = [], low: [Double] = [], close: [Double] = []
        var volume: [Double] = []
        let time = [Int64](unsafeUninitializedCapacity: capacity) { t, tCount in
            open = [Double](unsafeUninitializedCapacity: capacity) { o, oCount in
                high = [Double](unsafeUninitializedCapacity: capacity) { h, hCount in
                    low = [Double](unsafeUninitializedCapacity: capacity) { l, lCount in
                        close = [Double](unsafeUninitializedCapacity: capacity) { c, cCount in
                            volume = [Double](unsafeUninitializedCapacity: capacity) { v, vCount in
                                guard let tb = t.baseAddress, let ob = o.baseAddress, let hb = h.baseAddress,
                                      let lb = l.baseAddress, let cb = c.baseAddress, let vb = v.baseAddress
                                else { return }
                                var columns = BarColumns(capacity: capacity, time: tb, open: ob, high: hb, low: lb,
                                                         close: cb, volume: vb)
                                body(&columns)
                                count = columns.count
                                vCount = count
                            }
                            cCount = count
                        }
                        lCount = count
                    }
                    hCount = count
                }
                oCount = count
            }
            tCount = count
        }
        return BarSeries(symbol: symbol, time: time, open: open, high: high, low: low, close: close, volume: volume)
    }

    private init(capacity: Int, time: UnsafeMutablePointer<Int64>, open: UnsafeMutablePointer<Double>,
                 high: UnsafeMutablePointer<Double>, low: UnsafeMutablePointer<Double>,
                 close: UnsafeMutablePointer<Double>, volume: UnsafeMutablePointer<Double>) {
        self.capacity = capacity
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }
}
