import Logging
import Testing
import TradingCore
@testable import Forecast

@Suite(.timeLimit(.minutes(2))) struct HyperparameterSearchTests {
    @Test func seededCandidatesStayInTheirRanges() throws {
        let base = try ModelRegistryTests.tinyHyperparameters()
        let a = HyperparameterSearch.candidates(base: base, trials: 20, seed: 3)
        #expect(a == HyperparameterSearch.candidates(base: base, trials: 20, seed: 3))
        #expect(a != HyperparameterSearch.candidates(base: base, trials: 20, seed: 4))
        for h in a {
            #expect(HyperparameterSearch.unitChoices.contains(h.training.units))
            #expect(HyperparameterSearch.tstepChoices.contains(h.tsteps))
            #expect(h.training.learningRate >= 3e-4 && h.training.learningRate <= 1e-2)
            #expect(h.features == base.features && h.training.seed == base.training.seed)
        }
    }

    @Test func picksTheLowestValidationLoss() throws {
        var base = try ModelRegistryTests.tinyHyperparameters()
        base.training.epochs = 1
        let bars = try FeaturePipelineTests.sample(300)
        let (trials, best) = try HyperparameterSearch(logger: Logger(label: "t"))
            .run(bars: bars, base: base, trials: 3, seed: 1)
        #expect(trials.count == 3)
        #expect(best.bestValidationLoss == trials.map(\.bestValidationLoss).min())
        let table = HyperparameterSearch.table(trials).split(separator: "\n")
        #expect(table.count == 4)
        #expect(table[0] == "trial,units,tsteps,learning_rate,best_val_loss,epochs")
    }
}
