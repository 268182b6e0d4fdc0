import Dispatch
import Foundation
import TradingCore

/// Stacked LSTM layers and a dense head predicting one value from a window of `tsteps × inputDim` features.
///
/// Keras-compatible: gate blocks along the `4u` axis in the order **i, f, c, o**, `z = x·W + h·U + b`,
/// `c = f·c + i·tanh(z_c)`, `h = o·tanh(c)`, logistic sigmoid gates, `h₀ = c₀ = 0`; every layer but the last
/// returns its whole sequence to the next. All parameters live in one flat array (`parameters`) so that the
/// optimiser and the gradient are plain vectors; they are kept (and saved) in `Double`.
///
/// Computation is in single precision, like Keras's: training and batch prediction run whole mini-batches through
/// OpenBLAS matrix products (`LSTMBatchEngine`), single-window prediction has its own short path. The order of
/// every sum is fixed, so the same parameters and inputs always give the same bits. A double-precision reference
/// implementation (`referenceForward`, `referenceLossAndGradient`) backs the tests.
public struct LSTMNetwork: Sendable, Equatable {
    public let inputDim: Int
    /// Units of each LSTM layer, input side first.
    public let units: [Int]
    /// All weights and biases, in the layout described by `layers`, `denseW` and `denseB`.
    ///
    /// Every assignment refreshes the single-precision copy the computation uses (O(parameterCount)): change
    /// many values by assigning a whole array, not element by element in a loop.
    public var parameters: [Double] {
        didSet { singlePrecision = parameters.map { Float($0) } }
    }
    /// `parameters` rounded to `Float`, what the computation uses.
    private(set) var singlePrecision: [Float]

    /// Offsets of one LSTM layer's kernel `W` (in × 4u), recurrent kernel `U` (u × 4u) and bias `b` (4u).
    struct LayerLayout: Sendable, Equatable {
        let input: Int, units: Int, w: Int, u: Int, b: Int
    }

    let layers: [LayerLayout]
    /// Offsets of the dense head's kernel (u × 1) and bias.
    let denseW: Int, denseB: Int

    public init(inputDim: Int, units: [Int], parameters: [Double]? = nil) {
        self.inputDim = inputDim
        self.units = units
        var offset = 0
        var layers: [LayerLayout] = []
        var input = inputDim
        for u in units {
            let w = offset; offset += input * 4 * u
            let rec = offset; offset += u * 4 * u
            let b = offset; offset += 4 * u
            layers.append(LayerLayout(input: input, units: u, w: w, u: rec, b: b))
            input = u
        }
        self.layers = layers
        denseW = offset; offset += input
        denseB = offset; offset += 1
        let values = parameters ?? [Double](repeating: 0, count: offset)
        self.parameters = values
        singlePrecision = values.map { Float($0) }
    }

    /// Networks are equal when their shapes and parameters are.
    public static func == (a: LSTMNetwork, b: LSTMNetwork) -> Bool {
        a.inputDim == b.inputDim && a.units == b.units && a.parameters == b.parameters
    }

    public var parameterCount: Int { denseB + 1 }

    /// Keras's initialisers from a seed: Glorot-uniform kernels, orthogonal recurrent kernels, zero biases with
    /// the forget block at 1 (`unit_forget_bias`), Glorot-uniform dense kernel.
    public static func initialised(inputDim: Int, units: [Int], seed: UInt64) -> LSTMNetwork {
        let shape = LSTMNetwork(inputDim: inputDim, units: units)
        var p = shape.parameters
        var rng = SeededRandom(seed: seed)
        for layer in shape.layers {
            let limit = (6.0 / Double(layer.input + 4 * layer.units)).squareRoot()
            for k in 0..<(layer.input * 4 * layer.units) {
                p[layer.w + k] = (2 * rng.nextUniform() - 1) * limit
            }
            let q = orthogonal(rows: layer.units, columns: 4 * layer.units, rng: &rng)
            for k in 0..<q.count { p[layer.u + k] = q[k] }
            for j in 0..<layer.units { p[layer.b + layer.units + j] = 1 }
        }
        let last = units.last ?? inputDim
        let limit = (6.0 / Double(last + 1)).squareRoot()
        for k in 0..<last { p[shape.denseW + k] = (2 * rng.nextUniform() - 1) * limit }
        return LSTMNetwork(inputDim: inputDim, units: units, parameters: p)
    }

    /// A `rows × columns` matrix with orthonormal rows or columns (whichever are fewer), by Gram–Schmidt on
    /// normal draws.
    static func orthogonal(rows: Int, columns: Int, rng: inout SeededRandom) -> [Double] {
        let (n, m) = rows <= columns ? (rows, columns) : (columns, rows)   // n vectors of length m
        var v = [[Double]](repeating: [], count: n)
        for i in 0..<n {
            var x = (0..<m).map { _ in rng.nextNormal() }
            for j in 0..<i {
                let dot = zip(x, v[j]).reduce(0) { $0 + $1.0 * $1.1 }
                for k in 0..<m { x[k] -= dot * v[j][k] }
            }
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v[i] = x.map { $0 / norm }
        }
        var out = [Double](repeating: 0, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { out[r * columns + c] = rows <= columns ? v[r][c] : v[c][r] }
        }
        return out
    }

    // MARK: Prediction

    /// The prediction for one window (`tsteps × inputDim` values, oldest step first).
    ///
    /// Single-window path: `x·W` for every step as one matrix product, then per step one vector–matrix product
    /// with `U` and the vectorised activations, in stack-allocated buffers. It agrees with
    /// `predictions(windows:)` to float32 rounding, not necessarily to the bit: the two group the products
    /// differently.
    public func predict<C: Collection>(_ window: C) -> Double where C.Element == Double {
        let steps = window.count / inputDim
        guard steps > 0 else { return Double(singlePrecision[denseB]) }
        let widest = max(inputDim, units.max() ?? 0)
        return singlePrecision.withUnsafeBufferPointer { p in
            let capacity = 2 * steps * widest + steps * 4 * widest + 2 * widest
            return withUnsafeTemporaryAllocation(of: Float.self, capacity: capacity) { scratch in
                let base = scratch.baseAddress!, weights = p.baseAddress!
                var current = base                      // this layer's input sequence (steps × in)
                var next = base + steps * widest        // its output sequence (steps × u)
                let z = base + 2 * steps * widest       // pre-activations of every step (steps × 4u)
                let c = z + steps * 4 * widest          // cell state, then its tanh (scratch)
                var k = 0
                for value in window { current[k] = Float(value); k += 1 }
                for layer in layers {
                    let u = layer.units, w4 = 4 * u
                    for t in 0..<steps { (z + t * w4).update(from: weights + layer.b, count: w4) }
                    VectorMath.gemm(m: steps, n: w4, k: layer.input, a: current, lda: layer.input,
                                    b: weights + layer.w, ldb: w4, beta: 1, c: z, ldc: w4)
                    c.update(repeating: 0, count: u)
                    for t in 0..<steps {
                        let row = z + t * w4
                        if t > 0 {
                            VectorMath.rowVectorTimesMatrix(m: u, n: w4, a: weights + layer.u, lda: w4,
                                                            x: next + (t - 1) * u, beta: 1, y: row)
                        }
                        VectorMath.lstmCell(z: row, units: u, cPrevious: c, c: c, cTanh: c + widest, h: next + t * u)
                    }
                    swap(&current, &next)
                }
                let last = layers[layers.count - 1].units
                let h = current + (steps - 1) * last
                var y = weights[denseB]
                for j in 0..<last { y += weights[denseW + j] * h[j] }
                return Double(y)
            }
        }
    }

    /// Predictions for many windows stored one after another in `windows` (`count × tsteps × inputDim` values,
    /// each window oldest step first), computed in batches of 128 windows, spread over the available cores.
    ///
    /// Each window's result depends only on that window and its position in its batch of 128 (batches start at
    /// multiples of 128), not on the other windows' values nor on how many threads ran.
    public func predictions(windows: [Double], tsteps: Int) -> [Double] {
        let size = tsteps * inputDim
        guard size > 0, windows.count >= size else { return [] }
        let count = windows.count / size
        let batch = Self.inferenceBatch
        let batches = (count + batch - 1) / batch
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, batches / 2))
        let inputs = windows.map { Float($0) }
        return [Double](unsafeUninitializedCapacity: count) { out, initialized in
            inputs.withUnsafeBufferPointer { buffer in
                // Worker k takes a contiguous run of whole batches and writes only its own part of `out`.
                nonisolated(unsafe) let base = buffer.baseAddress!, out = out.baseAddress!
                let network = self
                DispatchQueue.concurrentPerform(iterations: workers) { k in
                    let first = batches * k / workers * batch, end = min(count, batches * (k + 1) / workers * batch)
                    guard first < end else { return }
                    let engine = LSTMBatchEngine(network: network, steps: tsteps, capacity: min(end - first, batch))
                    engine.predict(inputs: base, range: first..<end, into: out + first)
                }
            }
            initialized = count
        }
    }

    /// Windows per batch in `predictions(windows:tsteps:)`.
    static let inferenceBatch = 128

    /// Windows per pass when `loss` or `lossAndGradient` are given more windows than that.
    static let lossBatch = 256

    // MARK: Loss and gradient

    /// Mean loss over the windows (each `tsteps × inputDim` values) and its gradient with respect to
    /// `parameters` (backpropagation through time), computed in single precision in passes of up to 256 windows.
    /// NaN when there are no windows or they are not all the same whole number of steps.
    public func lossAndGradient(windows: [[Double]], targets: [Double], loss: Loss) -> (Double, [Double]) {
        guard let steps = steps(of: windows) else { return (.nan, [Double](repeating: .nan, count: parameterCount)) }
        let inputs = windows.flatMap { $0.map { Float($0) } }
        let engine = LSTMBatchEngine(network: self, steps: steps, capacity: min(windows.count, Self.lossBatch))
        return inputs.withUnsafeBufferPointer {
            engine.lossAndGradient(inputs: $0.baseAddress!, indices: windows.indices, targets: targets, loss: loss)
        }
    }

    /// Mean loss over the windows, without the gradient; the same arithmetic as `lossAndGradient`'s loss (NaN in
    /// the same cases).
    public func loss(windows: [[Double]], targets: [Double], loss: Loss) -> Double {
        guard let steps = steps(of: windows) else { return .nan }
        let inputs = windows.flatMap { $0.map { Float($0) } }
        let engine = LSTMBatchEngine(network: self, steps: steps, capacity: min(windows.count, Self.lossBatch))
        return inputs.withUnsafeBufferPointer {
            engine.loss(inputs: $0.baseAddress!, indices: windows.indices, targets: targets, loss: loss)
        }
    }

    /// The common number of steps of `windows`, or nil when there are none or they differ in size.
    func steps(of windows: [[Double]]) -> Int? {
        guard let first = windows.first, inputDim > 0, first.count >= inputDim, first.count % inputDim == 0,
              windows.allSatisfy({ $0.count == first.count }) else { return nil }
        return first.count / inputDim
    }
}

/// The training loss.
public enum Loss: Sendable, Equatable {
    case mse
    case huber(delta: Double)

    func valueAndDerivative(prediction y: Double, target: Double) -> (Double, Double) {
        let e = y - target
        switch self {
        case .mse: return (e * e, 2 * e)
        case .huber(let d):
            return abs(e) <= d ? (0.5 * e * e, e) : (d * (abs(e) - 0.5 * d), e > 0 ? d : -d)
        }
    }
}
