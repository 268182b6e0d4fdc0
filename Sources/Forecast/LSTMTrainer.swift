import Dispatch
import Logging
import TradingCore

/// Settings of a training run (from `config/model.yaml` / `hyperparameters.json`).
public struct TrainingSettings: Sendable, Equatable {
    public var units: [Int]
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var loss: Loss
    /// Global-norm gradient clipping; nil = none.
    public var clipNorm: Double?
    /// Fraction of the windows, taken from the end (time-ordered), used for validation.
    public var validationFraction: Double
    /// Epochs without a validation improvement before stopping; the best weights are kept.
    public var patience: Int
    public var seed: UInt64

    public init(units: [Int] = [32], epochs: Int = 10, batchSize: Int = 64, learningRate: Double = 0.001,
                loss: Loss = .mse, clipNorm: Double? = 1, validationFraction: Double = 0.2, patience: Int = 3,
                seed: UInt64 = 42) {
        self.units = units
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.loss = loss
        self.clipNorm = clipNorm
        self.validationFraction = validationFraction
        self.patience = patience
        self.seed = seed
    }
}

/// One epoch's figures, for progress reporting and the model's metadata.
public struct EpochReport: Sendable, Equatable {
    public var epoch: Int
    public var trainLoss: Double
    public var validationLoss: Double
}

/// Trains an `LSTMNetwork` with mini-batch Adam, gradient clipping and early stopping on a time-ordered
/// validation split. Deterministic: the seed fixes initialisation and the per-epoch shuffle of training windows.
/// Each mini-batch goes through `LSTMBatchEngine` in single precision; parameters and Adam's moments stay in
/// `Double`.
public struct LSTMTrainer: Sendable {
    public let settings: TrainingSettings
    private let logger: Logger

    public init(settings: TrainingSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// Trains on `windows` (each `tsteps × inputDim`) and `targets`; `progress` sees every epoch.
    public func train(windows: [[Double]], targets: [Double], inputDim: Int,
                      progress: (EpochReport) -> Void = { _ in }) throws -> (LSTMNetwork, [EpochReport]) {
        let n = windows.count
        let validationCount = Int((Double(n) * settings.validationFraction).rounded())
        let trainCount = n - validationCount
        guard trainCount >= 1, validationCount >= 1 else {
            throw ForecastError.notEnoughData("training needs windows for both training and validation; got \(n)")
        }
        var net = LSTMNetwork.initialised(inputDim: inputDim, units: settings.units, seed: settings.seed)
        guard let steps = net.steps(of: windows), targets.count == n else {
            throw ForecastError.notEnoughData("training needs windows of one size, a whole number of steps of "
                                              + "\(inputDim) features, and one target per window; got "
                                              + "\(n) windows and \(targets.count) targets")
        }
        var adam = AdamOptimizer(parameterCount: net.parameterCount, learningRate: settings.learningRate)
        var rng = SeededRandom(seed: settings.seed &+ 1)
        var order = Array(0..<trainCount)
        var best = (loss: Double.infinity, parameters: net.parameters)
        var sinceBest = 0
        var reports: [EpochReport] = []
        let validationWindows = Array(windows[trainCount...]), validationTargets = Array(targets[trainCount...])
        // All windows in single precision, one after another; mini-batches are gathered from here.
        var inputs = [Float]()
        inputs.reserveCapacity(n * steps * inputDim)
        for window in windows { for value in window { inputs.append(Float(value)) } }
        // Each mini-batch is split into two fixed halves computed on two threads and added in order, so the
        // result does not depend on how many cores run it.
        let half = (settings.batchSize + 1) / 2
        let engines = (0..<2).map { _ in LSTMBatchEngine(network: net, steps: steps, capacity: half) }
        for epoch in 1...max(1, settings.epochs) {
            // Fisher–Yates with the seeded generator.
            for i in stride(from: trainCount - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            var epochLoss = 0.0
            for start in stride(from: 0, to: trainCount, by: settings.batchSize) {
                let idx = order[start..<min(start + settings.batchSize, trainCount)]
                var (loss, gradient) = Self.lossAndGradient(engines: engines, network: net, inputs: inputs,
                                                            indices: idx, targets: targets, loss: settings.loss)
                if let clip = settings.clipNorm {
                    let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    if norm > clip { for k in gradient.indices { gradient[k] *= clip / norm } }
                }
                adam.update(&net.parameters, gradient: gradient)
                epochLoss += loss * Double(idx.count)
            }
            let validation = net.loss(windows: validationWindows, targets: validationTargets, loss: settings.loss)
            let report = EpochReport(epoch: epoch, trainLoss: epochLoss / Double(trainCount), validationLoss: validation)
            reports.append(report)
            progress(report)
            if validation < best.loss {
                best = (validation, net.parameters)
                sinceBest = 0
            } else {
                sinceBest += 1
                if sinceBest >= settings.patience {
                    logger.info("early stopping", metadata: ["epoch": "\(epoch)", "best_val_loss": "\(best.loss)"])
                    break
                }
            }
        }
        net.parameters = best.parameters
        return (net, reports)
    }

    /// Mean loss and gradient of one mini-batch: the first half of `indices` on `engines[0]`, the rest on
    /// `engines[1]`, concurrently; the halves' sums are added in that order.
    private static func lossAndGradient(engines: [LSTMBatchEngine], network: LSTMNetwork, inputs: [Float],
                                        indices: ArraySlice<Int>, targets: [Double], loss: Loss) -> (Double, [Double]) {
        let scale = 1 / Double(indices.count)
        let middle = indices.startIndex + (indices.count + 1) / 2
        let parts = [indices[..<middle], indices[middle...]]
        var results: [(Double, [Double])] = [(0, []), (0, [])]
        // Each iteration uses its own engine and writes its own result slot.
        nonisolated(unsafe) let engines = engines
        inputs.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            results.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let out = out
                DispatchQueue.concurrentPerform(iterations: 2) { k in
                    guard !parts[k].isEmpty else { return }
                    engines[k].load(network)
                    out[k] = engines[k].lossAndGradient(inputs: base, indices: parts[k], targets: targets, loss: loss,
                                                        scale: scale)
                }
            }
        }
        var (total, gradient) = results[0]
        if !results[1].1.isEmpty {
            total += results[1].0
            for k in gradient.indices { gradient[k] += results[1].1[k] }
        }
        return (total, gradient)
    }
}
