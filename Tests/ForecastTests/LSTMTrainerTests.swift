import Logging
import Testing
import TradingCore
@testable import Forecast

@Suite struct LSTMTrainerTests {
    /// A learnable toy problem: the target is a fixed linear function of the window's last step.
    static func toyData(count: Int, seed: UInt64) -> ([[Double]], [Double]) {
        var rng = SeededRandom(seed: seed)
        var windows: [[Double]] = [], targets: [Double] = []
        for _ in 0..<count {
            let w = (0..<(6 * 2)).map { _ in rng.nextNormal() }
            windows.append(w)
            targets.append(0.3 * w[10] - 0.2 * w[11] + 0.1 * w[8])
        }
        return (windows, targets)
    }

    @Test(.timeLimit(.minutes(1))) func learnsAndIsDeterministic() throws {
        let (windows, targets) = Self.toyData(count: 300, seed: 5)
        let settings = TrainingSettings(units: [8], epochs: 15, batchSize: 16, learningRate: 0.01, patience: 15, seed: 11)
        let trainer = LSTMTrainer(settings: settings, logger: Logger(label: "test"))
        let (a, reports) = try trainer.train(windows: windows, targets: targets, inputDim: 2)
        let (b, _) = try trainer.train(windows: windows, targets: targets, inputDim: 2)
        #expect(a == b)   // same seed, same bits
        let variance = targets.map { $0 * $0 }.reduce(0, +) / Double(targets.count)
        #expect(reports.last!.validationLoss < 0.2 * variance, "\(reports.map(\.validationLoss))")
        #expect(reports.first!.trainLoss > reports.last!.trainLoss)
        let other = try LSTMTrainer(settings: TrainingSettings(units: [8], epochs: 2, seed: 12), logger: Logger(label: "t"))
            .train(windows: windows, targets: targets, inputDim: 2).0
        #expect(other != a)
    }

    @Test func earlyStoppingKeepsTheBestEpoch() throws {
        let (windows, targets) = Self.toyData(count: 120, seed: 6)
        // A learning rate far too high makes validation loss worse after a point; patience 1 stops there.
        let settings = TrainingSettings(units: [4], epochs: 30, batchSize: 8, learningRate: 0.3, clipNorm: nil,
                                        patience: 1, seed: 2)
        let (net, reports) = try LSTMTrainer(settings: settings, logger: Logger(label: "t"))
            .train(windows: windows, targets: targets, inputDim: 2)
        #expect(reports.count < 30)
        let best = reports.map(\.validationLoss).min()!
        let validation = net.loss(windows: Array(windows[96...]), targets: Array(targets[96...]), loss: .mse)
        #expect(abs(validation - best) < 1e-12)
    }

    @Test func tooFewWindowsIsAnError() {
        #expect(throws: ForecastError.self) {
            try LSTMTrainer(settings: TrainingSettings(), logger: Logger(label: "t"))
                .train(windows: [[0, 0]], targets: [0], inputDim: 2)
        }
    }
}
