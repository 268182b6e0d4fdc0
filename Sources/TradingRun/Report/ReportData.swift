import TradingCore
/// What a report shows, gathered from a results directory in one streaming pass per file and reduced to what a
/// page can draw: each curve downsampled to at most `buckets` points (last value per bucket; the deepest drawdown
/// per bucket, so no trough disappears), monthly returns, the most recent trades as markers.
struct ReportData {
    struct Point {
        var time: Int64
        var value: Double
    }

    struct Marker {
        var time: Int64
        var price: Double
        var isEntry: Bool
        var isLong: Bool
    }

    struct MonthlyReturn {
        var year: Int
        var month: Int
        var value: Double
    }

    var equity: [Point] = []
    var drawdown: [Point] = []
    var price: [Point] = []
    /// The price over the span of the marked trades, in finer steps.
    var recentPrice: [Point] = []
    var markers: [Marker] = []
    var tradeCount = 0
    /// The first and last bar of the run (the curves above are samples of it).
    var firstTime: Int64?
    var lastTime: Int64?
    var months: [MonthlyReturn] = []
    var rows = 0

    static let buckets = 1_200
    static let maxMarkers = 160

    /// Reads `equity.csv` (Time,equity,cash,position,drawdown) and `trades.csv` of `directory`.
    static func load(directory: String, initialCapital: Double) throws -> ReportData {
        var data = ReportData()
        let equityPath = directory + "/equity.csv"
        let count = try CSVLineReader(path: equityPath).countRows()
        data.rows = count
        let per = max(1, (count + buckets - 1) / buckets)
        var index = 0
        var currentMonth = -1
        var previousMonthEnd = initialCapital
        var lastEquity = initialCapital
        var worst = 0.0
        try CSVLineReader(path: equityPath).forEachRow { line, number in
            guard !line.isEmpty else { return }
            // Time, equity, cash, position, drawdown: fields 0, 1 and 4.
            guard let (time, values) = CSVLineReader.timeAndNumbers(line, wanted: [0, 1, 4]) else {
                throw ReportError.malformed(equityPath, line: number, "expected Time,equity,cash,position,drawdown")
            }
            let equity = values[0], drawdown = values[1]
            let days = Int(Timestamps.dayIndex(time))
            let civil = Timestamps.civilFromDays(days)
            let monthKey = civil.year * 12 + civil.month - 1
            if monthKey != currentMonth {
                if currentMonth >= 0 {
                    data.months.append(MonthlyReturn(year: currentMonth / 12, month: currentMonth % 12 + 1,
                                                     value: lastEquity / previousMonthEnd - 1))
                    previousMonthEnd = lastEquity
                }
                currentMonth = monthKey
            }
            lastEquity = equity
            if data.firstTime == nil { data.firstTime = time }
            data.lastTime = time
            worst = max(worst, drawdown)
            if index % per == per - 1 || index == count - 1 {
                data.equity.append(Point(time: time, value: equity))
                data.drawdown.append(Point(time: time, value: -worst))
                worst = 0
            }
            index += 1
        }
        if currentMonth >= 0 {
            data.months.append(MonthlyReturn(year: currentMonth / 12, month: currentMonth % 12 + 1,
                                             value: lastEquity / previousMonthEnd - 1))
        }
        let tradesPath = directory + "/trades.csv"
        var recent: [Marker] = []
        try CSVLineReader(path: tradesPath).forEachRow { line, number in
            guard !line.isEmpty else { return }
            let f = CSVLineReader.fields(line)
            guard f.count >= 5, let entry = Timestamps.parse(String(f[0])), let entryPrice = Double(f[1]),
                  let exit = Timestamps.parse(String(f[2])), let exitPrice = Double(f[3]) else {
                throw ReportError.malformed(tradesPath, line: number, "expected entry_time,entry_price,exit_time,…")
            }
            let long = f[4] == "LONG"
            data.tradeCount += 1
            recent.append(Marker(time: entry, price: entryPrice, isEntry: true, isLong: long))
            recent.append(Marker(time: exit, price: exitPrice, isEntry: false, isLong: long))
            if recent.count > 2 * maxMarkers { recent.removeFirst(recent.count - maxMarkers) }
        }
        data.markers = Array(recent.suffix(maxMarkers))
        return data
    }

    /// Downsamples the closes of `bars` to the same number of buckets, over the whole run and over the span of
    /// the marked trades.
    mutating func setPrice(_ bars: BarSeries) {
        price = Self.downsample(bars)
        if let first = markers.first?.time {
            recentPrice = Self.downsample(bars.slice(start: first, end: nil))
        }
    }

    private static func downsample(_ bars: BarSeries) -> [Point] {
        let n = bars.count
        guard n > 0 else { return [] }
        let per = max(1, (n + buckets - 1) / buckets)
        return stride(from: per - 1, to: n + per - 1, by: per).map { i in
            let t = min(i, n - 1)
            return Point(time: bars.time[t], value: bars.close[t])
        }
    }
}
