import Testing
import TradingCore
@testable import Forecast

@Suite struct LSTMGradientTests {
    static func batch(seed: UInt64, count: Int, steps: Int, dim: Int) -> ([[Double]], [Double]) {
        var rng = SeededRandom(seed: seed)
        let windows = (0..<count).map { _ in (0..<(steps * dim)).map { _ in rng.nextNormal() } }
        let targets = (0..<count).map { _ in 0.1 * rng.nextNormal() }
        return (windows, targets)
    }

    /// The double-precision reference's backpropagation through time against central finite differences, for
    /// every parameter of a 2-layer net.
    @Test(arguments: [Loss.mse, Loss.huber(delta: 0.05)])
    func referenceGradientMatchesFiniteDifferences(loss: Loss) {
        var net = LSTMNetwork.initialised(inputDim: 3, units: [4, 3], seed: 7)
        var rng = SeededRandom(seed: 9)
        for k in 0..<net.parameterCount { net.parameters[k] += 0.1 * rng.nextNormal() }   // off the init point
        let (windows, targets) = Self.batch(seed: 1, count: 4, steps: 5, dim: 3)
        let (_, analytic) = net.referenceLossAndGradient(windows: windows, targets: targets, loss: loss)
        let h = 1e-6
        var worst = 0.0
        for k in 0..<net.parameterCount {
            var plus = net, minus = net
            plus.parameters[k] += h
            minus.parameters[k] -= h
            let numeric = (plus.referenceLossAndGradient(windows: windows, targets: targets, loss: loss).0
                - minus.referenceLossAndGradient(windows: windows, targets: targets, loss: loss).0) / (2 * h)
            let error = abs(numeric - analytic[k]) / max(1e-6, abs(numeric) + abs(analytic[k]))
            worst = max(worst, error)
        }
        #expect(worst < 1e-5, "worst relative error \(worst)")
    }

    /// The production single-precision batched gradient against the double-precision reference, for every
    /// parameter: 1 and 2 layers, both losses, and more windows than one pass holds (several passes summed).
    @Test(arguments: [([4, 3], Loss.mse, 6), ([4, 3], Loss.huber(delta: 0.05), 6), ([7], Loss.mse, 300)])
    func singlePrecisionGradientMatchesTheReference(units: [Int], loss: Loss, count: Int) {
        var net = LSTMNetwork.initialised(inputDim: 3, units: units, seed: 7)
        var rng = SeededRandom(seed: 9)
        for k in 0..<net.parameterCount { net.parameters[k] += 0.1 * rng.nextNormal() }
        let (windows, targets) = Self.batch(seed: 3, count: count, steps: 5, dim: 3)
        let (referenceLoss, reference) = net.referenceLossAndGradient(windows: windows, targets: targets, loss: loss)
        let (value, gradient) = net.lossAndGradient(windows: windows, targets: targets, loss: loss)
        #expect(abs(value - referenceLoss) <= 1e-5 * referenceLoss, "\(value) vs \(referenceLoss)")
        #expect(net.loss(windows: windows, targets: targets, loss: loss) == value)
        let scale = reference.map(abs).max()!
        #expect(scale > 1e-3)
        let worst = zip(gradient, reference).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-4 * scale, "worst abs error \(worst), largest component \(scale)")
        // A wrong gradient (one gate's derivative dropped) is far outside that tolerance: the test can fail.
        var damaged = gradient
        let layer = net.layers[0]
        for k in 0..<(4 * layer.units) where k / layer.units == 1 { damaged[layer.b + k] = 0 }
        #expect(zip(damaged, reference).map { abs($0 - $1) }.max()! > 1e-3 * scale)
    }

    /// Single-window and batched inference both agree with the double-precision reference to Float32 rounding.
    @Test func inferencePathsMatchTheReference() {
        let net = LSTMNetwork.initialised(inputDim: 3, units: [5, 4], seed: 21)
        let (windows, _) = Self.batch(seed: 2, count: 300, steps: 7, dim: 3)
        let batched = net.predictions(windows: windows.flatMap { $0 }, tsteps: 7)
        #expect(batched.count == 300)
        for (w, b) in zip(windows, batched) {
            var traces: [LSTMNetwork.LayerTrace] = []
            let reference = net.referenceForward(w, traces: &traces, keep: false)
            #expect(abs(net.predict(w) - reference) < 1e-6)
            #expect(abs(b - reference) < 1e-6)
        }
        // One window's batched result does not depend on the other windows in its batch.
        var changed = windows
        changed[1] = changed[1].map { -$0 }
        let again = net.predictions(windows: changed.flatMap { $0 }, tsteps: 7)
        #expect(again[0] == batched[0] && again[2...] == batched[2...] && again[1] != batched[1])
    }

    /// Batched prediction gives the same bits whether a run of batches goes through one thread or several.
    @Test func batchedPredictionDoesNotDependOnTheThreads() {
        let net = LSTMNetwork.initialised(inputDim: 2, units: [6], seed: 5)
        let (windows, _) = Self.batch(seed: 4, count: 600, steps: 4, dim: 2)
        let all = net.predictions(windows: windows.flatMap { $0 }, tsteps: 4)   // 5 batches over the cores
        var oneByOne: [Double] = []
        for start in stride(from: 0, to: 600, by: LSTMNetwork.inferenceBatch) {   // one batch per call
            let part = windows[start..<min(600, start + LSTMNetwork.inferenceBatch)]
            oneByOne += net.predictions(windows: part.flatMap { $0 }, tsteps: 4)
        }
        #expect(all == oneByOne)
    }

    @Test func kerasInitialisers() {
        let net = LSTMNetwork.initialised(inputDim: 5, units: [8], seed: 3)
        let layer = net.layers[0]
        // Forget-gate bias block is 1, the others 0.
        #expect(Array(net.parameters[(layer.b + 8)..<(layer.b + 16)]) == Array(repeating: 1, count: 8))
        #expect(Array(net.parameters[layer.b..<(layer.b + 8)]) == Array(repeating: 0, count: 8))
        // The recurrent kernel (8 × 32) has orthonormal rows.
        for r in 0..<8 {
            for s in 0..<8 {
                var dot = 0.0
                for c in 0..<32 { dot += net.parameters[layer.u + r * 32 + c] * net.parameters[layer.u + s * 32 + c] }
                #expect(abs(dot - (r == s ? 1 : 0)) < 1e-12)
            }
        }
        // Glorot limit sqrt(6 / (5 + 32)).
        let limit = (6.0 / 37).squareRoot()
        #expect(net.parameters[layer.w..<(layer.w + 160)].allSatisfy { abs($0) <= limit })
        #expect(LSTMNetwork.initialised(inputDim: 5, units: [8], seed: 3) == net)
        #expect(LSTMNetwork.initialised(inputDim: 5, units: [8], seed: 4) != net)
    }
}
