import Logging
import TradingCore
import TradingRun

/// A small seeded random search over layer sizes, window length and learning rate. Every trial trains on the
/// same training slice and is scored by its best validation loss (time-ordered split); nothing out of sample is
/// looked at.
public struct HyperparameterSearch: Sendable {
    public struct Trial: Sendable, Equatable {
        public var number: Int
        public var hyperparameters: ModelHyperparameters
        public var bestValidationLoss: Double
        public var epochs: Int
    }

    public static let unitChoices: [[Int]] = [[8], [16], [32], [16, 8]]
    public static let tstepChoices = [8, 16, 24]
    public static let learningRateRange = (low: 3e-4, high: 1e-2)

    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// The candidate of trial `i` (same seed → same candidates).
    public static func candidates(base: ModelHyperparameters, trials: Int, seed: UInt64) -> [ModelHyperparameters] {
        var rng = SeededRandom(seed: seed)
        return (0..<trials).map { _ in
            var h = base
            h.training.units = unitChoices[Int(rng.next() % UInt64(unitChoices.count))]
            h.tsteps = tstepChoices[Int(rng.next() % UInt64(tstepChoices.count))]
            let (lo, hi) = learningRateRange
            h.training.learningRate = (lo * pow(hi / lo, rng.nextUniform()) * 1e6).rounded() / 1e6
            return h
        }
    }

    /// Runs every trial; returns them in order, the best first in `best`.
    public func run(bars: BarSeries, base: ModelHyperparameters, trials: Int, seed: UInt64,
                    progress: (Trial) -> Void = { _ in }) throws -> (trials: [Trial], best: Trial) {
        var results: [Trial] = []
        for (i, h) in Self.candidates(base: base, trials: trials, seed: seed).enumerated() {
            let model = try ForecastPipeline(logger: logger).train(
                bars: bars, dataPath: "tune", dataSHA256: "", modelID: "trial-\(i + 1)", hyperparameters: h)
            let trial = Trial(number: i + 1, hyperparameters: h,
                              bestValidationLoss: model.metadata.epochs.map(\.validationLoss).min() ?? .infinity,
                              epochs: model.metadata.epochs.count)
            results.append(trial)
            progress(trial)
        }
        guard let best = results.min(by: { ($0.bestValidationLoss, $0.number) < ($1.bestValidationLoss, $1.number) })
        else { throw ForecastError.badRange("tune needs at least one trial") }
        return (results, best)
    }

    /// `trials.csv`: one row per trial.
    public static func table(_ trials: [Trial]) -> String {
        var out = "trial,units,tsteps,learning_rate,best_val_loss,epochs\n"
        for t in trials {
            out += "\(t.number),\(t.hyperparameters.training.units.map(String.init).joined(separator: "-")),"
                + "\(t.hyperparameters.tsteps),\(JSONWriter.number(t.hyperparameters.training.learningRate)),"
                + "\(JSONWriter.number(t.bestValidationLoss)),\(t.epochs)\n"
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#endif
