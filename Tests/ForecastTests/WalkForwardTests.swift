import Logging
import Testing
import TradingCore
@testable import Forecast

@Suite(.timeLimit(.minutes(2))) struct WalkForwardTests {
    @Test func everyPredictionComesFromEarlierBarsOnly() throws {
        let bars = try FeaturePipelineTests.sample(320)
        let h = try ModelRegistryTests.tinyHyperparameters()
        let pipeline = ForecastPipeline(logger: Logger(label: "t"))
        let a = try pipeline.walkForward(bars: bars, hyperparameters: h, trainBars: 120, retrainEvery: 50)
        #expect(a.count == 200)
        #expect(a.first?.time == bars.time[120])
        // Change every bar after t = 230: predictions at or before t must not move, later ones must.
        let t = 230
        var changed = bars
        for i in (t + 1)..<bars.count {
            changed.close[i] *= 1.3; changed.open[i] *= 1.3; changed.high[i] *= 1.35; changed.low[i] *= 1.25
            changed.volume[i] += 1_000
        }
        let b = try pipeline.walkForward(bars: changed, hyperparameters: h, trainBars: 120, retrainEvery: 50)
        let cut = bars.time[t]
        #expect(a.filter { $0.time <= cut } == b.filter { $0.time <= cut })
        #expect(a.filter { $0.time > cut } != b.filter { $0.time > cut })
        // Deterministic.
        #expect(try pipeline.walkForward(bars: bars, hyperparameters: h, trainBars: 120, retrainEvery: 50) == a)
    }
}
