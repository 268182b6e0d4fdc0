import Testing
@testable import TradingCore
@Test func barSeriesSlice() {
    let s = BarSeries(symbol: "X", bars: (0..<10).map { Bar(time: Int64($0), open: 1, high: 1, low: 1, close: 1, volume: 0) })
    #expect(s.slice(start: 3, end: 5).time == [3, 4, 5])
}
