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

    /// Backpropagation through time against central finite differences, for every parameter of a 2-layer net.
    @Test(arguments: [Loss.mse, Loss.huber(delta: 0.05)])
    func gradientMatchesFiniteDifferences(loss: Loss) {
        var net = LSTMNetwork.initialised(inputDim: 3, units: [4, 3], seed: 7)
        var rng = SeededRandom(seed: 9)
        for k in 0..<net.parameterCount { net.parameters[k] += 0.1 * rng.nextNormal() }   // off the init point
        let (windows, targets) = Self.batch(seed: 1, count: 4, steps: 5, dim: 3)
        let (_, analytic) = net.lossAndGradient(windows: windows, targets: targets, loss: loss)
        let h = 1e-6
        var worst = 0.0
        for k in 0..<net.parameterCount {
            var plus = net, minus = net
            plus.parameters[k] += h
            minus.parameters[k] -= h
            let numeric = (plus.lossAndGradient(windows: windows, targets: targets, loss: loss).0
                - minus.lossAndGradient(windows: windows, targets: targets, loss: loss).0) / (2 * h)
            let error = abs(numeric - analytic[k]) / max(1e-6, abs(numeric) + abs(analytic[k]))
            worst = max(worst, error)
        }
        #expect(worst < 1e-5, "worst relative error \(worst)")
    }

    @Test func inferencePathEqualsTheTrainingForwardPass() {
        let net = LSTMNetwork.initialised(inputDim: 3, units: [5, 4], seed: 21)
        let (windows, _) = Self.batch(seed: 2, count: 8, steps: 7, dim: 3)
        for w in windows {
            var traces: [LSTMNetwork.LayerTrace] = []
            #expect(net.predict(w) == net.forward(w, traces: &traces, keep: false))
        }
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
