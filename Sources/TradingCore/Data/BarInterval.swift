/// The nominal length of a series' bars, to stamp each bar at its close on the bus.
///
/// A bar's time in the data is its open (the bundled hourly bars are labelled 09:30, 10:30, …). Its close is its
/// time plus the interval: the smallest gap between two consecutive bars (one hour for hourly bars, one day for
/// daily bars, however many nights, weekends and holidays lie between sessions). A bar that ends its session early
/// (the 15:30 bar of a session closing at 16:00) is still stamped at its nominal close, 16:30. A single bar, or
/// none, has interval 0: it is stamped at its own time.
public enum BarInterval {
    /// The smallest positive gap between consecutive times, in nanoseconds; 0 with fewer than two times.
    public static func infer(times: [Int64]) -> Int64 {
        var smallest = Int64.max
        var index = 1
        while index < times.count {
            let gap = times[index] &- times[index - 1]
            if gap > 0 && gap < smallest { smallest = gap }
            index += 1
        }
        return smallest == Int64.max ? 0 : smallest
    }
}
