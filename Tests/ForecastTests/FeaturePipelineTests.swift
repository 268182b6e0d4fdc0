import Foundation
import Testing
import TestSupport
import TradingCore
import TradingRun
@testable import Forecast

@Suite struct FeaturePipelineTests {
    static let root = TestSupport.packageRoot

    static func sample(_ n: Int = 3_000) throws -> BarSeries {
        let all = try BarCSVLoader.load(path: root.path + "/data/sample/NVDA_1h.csv", symbol: "NVDA").series
        return all.slice(start: nil, end: all.time[n - 1])
    }

    @Test func namesRoundTripAndBadNamesAreErrors() throws {
        for f in Feature.standard { #expect(try Feature(name: f.name) == f) }
        #expect(throws: ForecastError.self) { try Feature(name: "sma_ratio_x") }
        #expect(throws: ForecastError.self) { try Feature(name: "momentum_5") }
    }

    @Test func handComputedValues() throws {
        // Closes 10, 11, 12.1, 12.1: log returns ln 1.1, ln 1.1, 0; SMA(2) ratios.
        let bars = BarSeries(symbol: "X", bars: [10, 11, 12.1, 12.1].enumerated().map { i, c in
            Bar(time: Int64(i) * 3_600_000_000_000 + 34_200_000_000_000, open: c, high: c, low: c, close: c,
                volume: Double(100 + i))
        })
        let m = FeatureMatrix(bars: bars, features: [.logReturn, .smaRatio(window: 2), .hourOfDay, .dayOfWeek])
        #expect(m.columns == 6)
        #expect(m.firstValidRow == 1)
        #expect(abs(m[1, 0] - log(1.1)) < 1e-15)
        #expect(abs(m[3, 0]) < 1e-15)
        #expect(abs(m[1, 1] - (11 / 10.5 - 1)) < 1e-15)
        // Bar 0 is 1970-01-01T09:30 (a Thursday): hour angle 9.5/24 of a turn, weekday 3.
        #expect(abs(m[0, 2] - sin(2 * Double.pi * 9.5 / 24)) < 1e-12)
        #expect(abs(m[0, 4] - sin(2 * Double.pi * 3 / 7)) < 1e-12)
    }

    @Test func everyStandardFeatureIsDefinedAfterWarmUp() throws {
        let bars = try Self.sample(500)
        let m = FeatureMatrix(bars: bars, features: Feature.standard)
        #expect(m.columnNames.count == m.columns)
        #expect(m.firstValidRow == 49)   // SMA(50) needs bars 0…49
        for r in m.firstValidRow..<m.rows {
            for c in 0..<m.columns { #expect(m[r, c].isFinite, "row \(r) column \(m.columnNames[c])") }
        }
    }

    @Test func scalerUsesOnlyItsRowsAndWindowsAreOrdered() throws {
        let bars = try Self.sample(400)
        let m = FeatureMatrix(bars: bars, features: [.logReturn, .rsi(period: 14)])
        let scaler = try StandardScaler(fitting: m, rows: 20..<300)
        let scaled = (20..<300).map { scaler.scale(m[$0, 0], column: 0) }
        #expect(abs(scaled.reduce(0, +) / Double(scaled.count)) < 1e-12)
        let data = WindowDataset(matrix: m, scaler: scaler, bars: bars, tsteps: 5, rows: 0..<bars.count)
        #expect(data.endRows.first == 18)              // first valid row 14, plus 4 earlier bars
        #expect(data.window(0).count == 10)
        #expect(data.window(0).first == scaler.scale(m[14, 0], column: 0))
        #expect(abs(data.targets[0] - (bars.close[19] / bars.close[18] - 1)) < 1e-15)
        #expect(data.targets.last!.isNaN)
        #expect(throws: ForecastError.self) { try StandardScaler(fitting: m, rows: 0..<100) }
    }

    /// Changing every bar after t changes no feature, scaler statistic or window at or before t.
    @Test func noLeakageFromTheFuture() throws {
        let bars = try Self.sample(1_000)
        let t = 600
        var changed = bars
        for i in (t + 1)..<bars.count {
            changed.open[i] *= 1.7; changed.high[i] *= 1.9; changed.low[i] *= 1.5; changed.close[i] *= 1.8
            changed.volume[i] = changed.volume[i] * 3 + 17
        }
        let a = FeatureMatrix(bars: bars, features: Feature.standard)
        let b = FeatureMatrix(bars: changed, features: Feature.standard)
        #expect(Array(a.values[0..<((t + 1) * a.columns)]).elementsEqual(
            b.values[0..<((t + 1) * b.columns)]) { $0 == $1 || ($0.isNaN && $1.isNaN) })
        #expect(a.values != b.values)   // the change is visible after t
        let sa = try StandardScaler(fitting: a, rows: a.firstValidRow..<(t + 1))
        let sb = try StandardScaler(fitting: b, rows: b.firstValidRow..<(t + 1))
        #expect(sa == sb)
        let wa = WindowDataset(matrix: a, scaler: sa, bars: bars, tsteps: 24, rows: 0..<t)
        let wb = WindowDataset(matrix: b, scaler: sb, bars: changed, tsteps: 24, rows: 0..<t)
        #expect(wa.inputs == wb.inputs)
        #expect(wa.targets == wb.targets)   // windows ending before t use Close[t] at most
    }
}
