import IBKRProtocol
import TradingCore

/// The market data the simulator derives from its bars: 5-second bars synthesised inside a bar from its OHLC
/// (the path open → low → high → close on an up bar, open → high → low → close on a down bar, straight lines
/// between, the volume spread evenly), and bars aggregated to a larger size. Deterministic: the same bar gives
/// the same sub-bars.
enum TWSSimBarSynthesis {
    /// The 5-second bars inside `bar`, which lasts `interval` seconds.
    static func realTimeBars(of bar: Bar, interval: Int64, reqId: Int) -> [IBKRRealTimeBar] {
        let count = max(1, Int(interval / 5))
        let up = bar.close >= bar.open
        let path = [bar.open, up ? bar.low : bar.high, up ? bar.high : bar.low, bar.close]
        func price(_ position: Double) -> Double {
            let scaled = min(max(position, 0), 1) * 3
            let leg = min(Int(scaled), 2)
            return path[leg] + (path[leg + 1] - path[leg]) * (scaled - Double(leg))
        }
        let totalVolume = max(0, Int(bar.volume.rounded()))
        var result: [IBKRRealTimeBar] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            let start = Double(index) / Double(count)
            let end = Double(index + 1) / Double(count)
            var points = [rounded(price(start)), rounded(price(end))]
            for vertex in 1...2 where start < Double(vertex) / 3 && Double(vertex) / 3 < end {
                points.append(rounded(path[vertex]))
            }
            let high = points.max() ?? bar.high
            let low = points.min() ?? bar.low
            let volume = totalVolume / count + (index == count - 1 ? totalVolume % count : 0)
            let wap = rounded((high + low + points[1]) / 3)
            result.append(IBKRRealTimeBar(reqId: reqId, time: bar.time + Int64(index) * 5, open: points[0],
                                          high: high, low: low, close: points[1], volume: IBKRDecimal(volume),
                                          wap: IBKRDecimal(exactly: wap), count: volume > 0 ? 1 : 0))
        }
        return result
    }

    /// Bars of `factor` base bars each, grouped on absolute indices (`index / factor`): the group holding
    /// `range.upperBound - 1` may be partial.
    static func aggregate(_ bars: ArraySlice<Bar>, factor: Int) -> [Bar] {
        guard factor > 1, let first = bars.indices.first else { return Array(bars) }
        var result: [Bar] = []
        var groupStart = first
        while groupStart < bars.endIndex {
            let groupEnd = min(bars.endIndex, (groupStart / factor + 1) * factor)
            result.append(merge(bars[groupStart..<groupEnd]))
            groupStart = groupEnd
        }
        return result
    }

    /// The group of `factor` bars holding `index`, up to `index`.
    static func group(of index: Int, in bars: [Bar], factor: Int) -> Bar {
        merge(bars[(index / factor * factor)...index])
    }

    private static func merge(_ group: ArraySlice<Bar>) -> Bar {
        let first = group[group.startIndex]
        var bar = Bar(time: first.time, open: first.open, high: first.high, low: first.low,
                      close: group[group.endIndex - 1].close, volume: 0)
        for item in group {
            bar.high = max(bar.high, item.high)
            bar.low = min(bar.low, item.low)
            bar.volume += item.volume
        }
        return bar
    }

    /// A price to 1/10000.
    static func rounded(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }

    /// Seconds in a TWS bar size (`5 secs`, `1 min`, `15 mins`, `1 hour`, `1 day`, `1 week`, `1 month`).
    static func seconds(ofBarSize text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let count = Int64(parts[0]), count > 0 else { return nil }
        let unit: Int64
        switch parts[1].lowercased() {
        case "sec", "secs": unit = 1
        case "min", "mins": unit = 60
        case "hour", "hours": unit = 3600
        case "day", "days": unit = 86_400
        case "week", "weeks": unit = 604_800
        case "month", "months": unit = 2_592_000
        default: return nil
        }
        return count * unit
    }

    /// Seconds in a TWS duration (`3600 S`, `2 D`, `1 W`, `1 M`, `1 Y`).
    static func seconds(ofDuration text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let count = Int64(parts[0]), count > 0 else { return nil }
        switch parts[1].uppercased() {
        case "S": return count
        case "D": return count * 86_400
        case "W": return count * 604_800
        case "M": return count * 2_592_000
        case "Y": return count * 31_536_000
        default: return nil
        }
    }
}
