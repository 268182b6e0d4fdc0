import Foundation
import TradingCore

/// Stacked LSTM layers and a dense head predicting one value from a window of `tsteps × inputDim` features.
///
/// Keras-compatible: gate blocks along the `4u` axis in the order **i, f, c, o**, `z = x·W + h·U + b`,
/// `c = f·c + i·tanh(z_c)`, `h = o·tanh(c)`, logistic sigmoid gates, `h₀ = c₀ = 0`; every layer but the last
/// returns its whole sequence to the next. All parameters live in one flat array (`parameters`) so that the
/// optimiser and the gradient are plain vectors. Computation is in `Double` with a fixed order of summation:
/// the same parameters and inputs always give the same bits.
public struct LSTMNetwork: Sendable, Equatable {
    public let inputDim: Int
    /// Units of each LSTM layer, input side first.
    public let units: [Int]
    public var parameters: [Double]

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
        self.parameters = parameters ?? [Double](repeating: 0, count: offset)
    }

    public var parameterCount: Int { denseB + 1 }

    /// Keras's initialisers from a seed: Glorot-uniform kernels, orthogonal recurrent kernels, zero biases with
    /// the forget block at 1 (`unit_forget_bias`), Glorot-uniform dense kernel.
    public static func initialised(inputDim: Int, units: [Int], seed: UInt64) -> LSTMNetwork {
        var net = LSTMNetwork(inputDim: inputDim, units: units)
        var rng = SeededRandom(seed: seed)
        for layer in net.layers {
            let limit = (6.0 / Double(layer.input + 4 * layer.units)).squareRoot()
            for k in 0..<(layer.input * 4 * layer.units) {
                net.parameters[layer.w + k] = (2 * rng.nextUniform() - 1) * limit
            }
            let q = orthogonal(rows: layer.units, columns: 4 * layer.units, rng: &rng)
            for k in 0..<q.count { net.parameters[layer.u + k] = q[k] }
            for j in 0..<layer.units { net.parameters[layer.b + layer.units + j] = 1 }
        }
        let last = units.last ?? inputDim
        let limit = (6.0 / Double(last + 1)).squareRoot()
        for k in 0..<last { net.parameters[net.denseW + k] = (2 * rng.nextUniform() - 1) * limit }
        return net
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

    // MARK: Forward

    /// Per-step values of one layer kept for backpropagation.
    struct LayerTrace {
        var inputs: [Double] = []   // T × in
        var gates: [Double] = []    // T × 4u, after activation (i, f, g, o)
        var cells: [Double] = []    // (T + 1) × u, row 0 = c₀
        var hidden: [Double] = []   // (T + 1) × u, row 0 = h₀
    }

    /// The prediction for one window (`tsteps × inputDim` values, oldest step first).
    ///
    /// Inference path: the same arithmetic in the same order as `forward`, on raw buffers with no per-step
    /// allocation and no kept trace.
    public func predict<C: Collection>(_ window: C) -> Double where C.Element == Double {
        let input = Array(window)
        let steps = input.count / inputDim
        let widest = max(inputDim, units.max() ?? 0)
        return parameters.withUnsafeBufferPointer { p in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * steps * widest + 4 * widest + 2 * widest) {
                scratch in
                let base = scratch.baseAddress!
                var current = base                      // this layer's input sequence
                var next = base + steps * widest        // its output sequence
                let z = base + 2 * steps * widest
                let c = z + 4 * widest
                input.withUnsafeBufferPointer { current.update(from: $0.baseAddress!, count: input.count) }
                let pp = p.baseAddress!
                for layer in layers {
                    let u = layer.units, width = 4 * u
                    c.update(repeating: 0, count: u)
                    for t in 0..<steps {
                        let bias = pp + layer.b
                        for k in 0..<width { z[k] = bias[k] }
                        let x = current + t * layer.input
                        for a in 0..<layer.input {
                            let xa = x[a]
                            if xa == 0 { continue }
                            let row = pp + layer.w + a * width
                            for k in 0..<width { z[k] += xa * row[k] }
                        }
                        if t > 0 {
                            let h = next + (t - 1) * u
                            for a in 0..<u {
                                let ha = h[a]
                                if ha == 0 { continue }
                                let row = pp + layer.u + a * width
                                for k in 0..<width { z[k] += ha * row[k] }
                            }
                        }
                        let out = next + t * u
                        for j in 0..<u {
                            let i = sigmoid(z[j]), f = sigmoid(z[u + j]), g = tanh(z[2 * u + j])
                            let o = sigmoid(z[3 * u + j])
                            c[j] = f * c[j] + i * g
                            out[j] = o * tanh(c[j])
                        }
                    }
                    swap(&current, &next)
                }
                let last = layers.last!.units
                let h = current + (steps - 1) * last
                var y = pp[denseB]
                for j in 0..<last { y += pp[denseW + j] * h[j] }
                return y
            }
        }
    }

    func forward(_ window: [Double], traces: inout [LayerTrace], keep: Bool) -> Double {
        let steps = window.count / inputDim
        var input = window
        parameters.withUnsafeBufferPointer { p in
            for layer in layers {
                let u = layer.units
                var trace = LayerTrace()
                trace.inputs = input
                trace.gates = [Double](repeating: 0, count: steps * 4 * u)
                trace.cells = [Double](repeating: 0, count: (steps + 1) * u)
                trace.hidden = [Double](repeating: 0, count: (steps + 1) * u)
                var z = [Double](repeating: 0, count: 4 * u)
                let width = 4 * u
                z.withUnsafeMutableBufferPointer { zb in
                    let z = zb.baseAddress!, pp = p.baseAddress!
                    input.withUnsafeBufferPointer { xb in
                        trace.gates.withUnsafeMutableBufferPointer { gb in
                            trace.cells.withUnsafeMutableBufferPointer { cb in
                                trace.hidden.withUnsafeMutableBufferPointer { hb in
                                    for t in 0..<steps {
                                        for k in 0..<width { z[k] = pp[layer.b + k] }
                                        for a in 0..<layer.input {
                                            let x = xb[t * layer.input + a]
                                            if x == 0 { continue }
                                            let row = pp + layer.w + a * width
                                            for k in 0..<width { z[k] += x * row[k] }
                                        }
                                        for a in 0..<u {
                                            let h = hb[t * u + a]
                                            if h == 0 { continue }
                                            let row = pp + layer.u + a * width
                                            for k in 0..<width { z[k] += h * row[k] }
                                        }
                                        for j in 0..<u {
                                            let i = sigmoid(z[j]), f = sigmoid(z[u + j]), g = tanh(z[2 * u + j])
                                            let o = sigmoid(z[3 * u + j])
                                            let c = f * cb[t * u + j] + i * g
                                            gb[t * width + j] = i
                                            gb[t * width + u + j] = f
                                            gb[t * width + 2 * u + j] = g
                                            gb[t * width + 3 * u + j] = o
                                            cb[(t + 1) * u + j] = c
                                            hb[(t + 1) * u + j] = o * tanh(c)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                input = Array(trace.hidden[u...])
                traces.append(trace)
            }
        }
        let last = layers.last!.units
        var y = parameters[denseB]
        for j in 0..<last { y += parameters[denseW + j] * input[(steps - 1) * last + j] }
        if !keep { traces.removeAll() }
        return y
    }

    // MARK: Backward

    /// Mean loss over the windows and its gradient with respect to `parameters` (backpropagation through time).
    public func lossAndGradient(windows: [[Double]], targets: [Double], loss: Loss) -> (Double, [Double]) {
        var gradient = [Double](repeating: 0, count: parameterCount)
        var total = 0.0
        let scale = 1 / Double(windows.count)
        for (window, target) in zip(windows, targets) {
            var traces: [LayerTrace] = []
            let y = forward(window, traces: &traces, keep: true)
            let (l, dy) = loss.valueAndDerivative(prediction: y, target: target)
            total += l
            backward(traces: traces, steps: window.count / inputDim, dy: dy * scale, into: &gradient)
        }
        return (total * scale, gradient)
    }

    func backward(traces: [LayerTrace], steps: Int, dy: Double, into gradient: inout [Double]) {
        let lastUnits = layers.last!.units
        let lastHidden = traces.last!.hidden
        gradient.withUnsafeMutableBufferPointer { gb in
            parameters.withUnsafeBufferPointer { pb in
                let g = gb.baseAddress!, p = pb.baseAddress!
                // Dense head.
                var dh = [Double](repeating: 0, count: steps * lastUnits)   // gradient w.r.t. each step's output
                for j in 0..<lastUnits {
                    g[denseW + j] += dy * lastHidden[steps * lastUnits + j]
                    dh[(steps - 1) * lastUnits + j] = dy * p[denseW + j]
                }
                g[denseB] += dy
                for (index, layer) in layers.enumerated().reversed() {
                    let u = layer.units, width = 4 * u
                    let trace = traces[index]
                    var dx = [Double](repeating: 0, count: steps * layer.input)
                    var dhNext = [Double](repeating: 0, count: u)   // from step t+1 through U
                    var dcNext = [Double](repeating: 0, count: u)
                    var dz = [Double](repeating: 0, count: width)
                    for t in stride(from: steps - 1, through: 0, by: -1) {
                        for j in 0..<u {
                            let i = trace.gates[t * width + j], f = trace.gates[t * width + u + j]
                            let gg = trace.gates[t * width + 2 * u + j], o = trace.gates[t * width + 3 * u + j]
                            let c = trace.cells[(t + 1) * u + j], cPrev = trace.cells[t * u + j]
                            let tc = tanh(c)
                            let dhj = dh[t * u + j] + dhNext[j]
                            let dc = dhj * o * (1 - tc * tc) + dcNext[j]
                            dz[j] = dc * gg * i * (1 - i)
                            dz[u + j] = dc * cPrev * f * (1 - f)
                            dz[2 * u + j] = dc * i * (1 - gg * gg)
                            dz[3 * u + j] = dhj * tc * o * (1 - o)
                            dcNext[j] = dc * f
                        }
                        dz.withUnsafeBufferPointer { dzb in
                            let d = dzb.baseAddress!
                            for k in 0..<width { g[layer.b + k] += d[k] }
                            trace.inputs.withUnsafeBufferPointer { xb in
                                for a in 0..<layer.input {
                                    let x = xb[t * layer.input + a]
                                    let gw = g + layer.w + a * width, pw = p + layer.w + a * width
                                    var s = 0.0
                                    for k in 0..<width {
                                        gw[k] += x * d[k]
                                        s += pw[k] * d[k]
                                    }
                                    dx[t * layer.input + a] = s
                                }
                            }
                            trace.hidden.withUnsafeBufferPointer { hb in
                                for a in 0..<u {
                                    let h = hb[t * u + a]
                                    let gu = g + layer.u + a * width, pu = p + layer.u + a * width
                                    var s = 0.0
                                    for k in 0..<width {
                                        gu[k] += h * d[k]
                                        s += pu[k] * d[k]
                                    }
                                    dhNext[a] = s
                                }
                            }
                        }
                    }
                    dh = dx
                }
            }
        }
    }
}

@inline(__always) func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

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
