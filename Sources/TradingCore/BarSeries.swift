/// A validated, strictly time-ordered series of bars for one symbol, stored column by column so that
/// the engine and the indicators walk contiguous arrays.
public struct BarSeries: Sendable, Equatable {
    public var symbol: String
    public var time: [Int64]
    public var open: [Double]
    public var high: [Double]
    public var low: [Double]
    public var close: [Double]
    public var volume: [Double]

    public init(symbol: String, time: [Int64] = [], open: [Double] = [], high: [Double] = [], low: [Double] = [],
                close: [Double] = [], volume: [Double] = []) {
        self.symbol = symbol
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    /// Builds a series from row values (no validation; loaders validate).
    public init(symbol: String, bars: [Bar]) {
        self.init(symbol: symbol)
        reserveCapacity(bars.count)
        for bar in bars { append(bar) }
    }

    public var count: Int { time.count }
    public var isEmpty: Bool { time.isEmpty }

    public subscript(index: Int) -> Bar {
        Bar(time: time[index], open: open[index], high: high[index], low: low[index], close: close[index],
            volume: volume[index])
    }

    public mutating func append(_ bar: Bar) {
        time.append(bar.time)
        open.append(bar.open)
        high.append(bar.high)
        low.append(bar.low)
        close.append(bar.close)
        volume.append(bar.volume)
    }

    public mutating func reserveCapacity(_ n: Int) {
        time.reserveCapacity(n)
        open.reserveCapacity(n)
        high.reserveCapacity(n)
        low.reserveCapacity(n)
        close.reserveCapacity(n)
        volume.reserveCapacity(n)
    }

    /// The bars whose time lies in `start...end` (either bound optional).
    public func slice(start: Int64?, end: Int64?) -> BarSeries {
        let lo = start.map { s in time.partitionPoint { $0 < s } } ?? 0
        let hi = end.map { e in time.partitionPoint { $0 <= e } } ?? count
        guard lo < hi else { return BarSeries(symbol: symbol) }
        return BarSeries(symbol: symbol, time: Array(time[lo..<hi]), open: Array(open[lo..<hi]),
                         high: Array(high[lo..<hi]), low: Array(low[lo..<hi]), close: Array(close[lo..<hi]),
                         volume: Array(volume[lo..<hi]))
    }
}

extension Array {
    /// Index of the first element for which `isAfter` is false, assuming the array is partitioned
    /// (all `true` first). Binary search.
    @inlinable
    func partitionPoint(_ isBefore: (Element) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isBefore(self[mid]) { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
