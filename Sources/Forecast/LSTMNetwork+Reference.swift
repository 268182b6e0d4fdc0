import Foundation

/// The double-precision reference implementation: the LSTM equations written out one window at a time with scalar
/// loops. Tests check it against finite differences and check the single-precision production path
/// (`LSTMBatchEngine`, `predict`) against it.
extension LSTMNetwork {
    /// Per-step values of one layer kept for backpropagation.
    struct LayerTrace {
        var inputs: [Double] = []   // T × in
        var gates: [Double] = []    // T × 4u, after activation (i, f, g, o)
        var cells: [Double] = []    // (T + 1) × u, row 0 = c₀
        var hidden: [Double] = []   // (T + 1) × u, row 0 = h₀
    }

    /// The double-precision forward pass of one window, keeping every step in `traces` when `keep`.
    func referenceForward(_ window: [Double], traces: inout [LayerTrace], keep: Bool) -> Double {
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

    /// Mean loss over the windows and its gradient with respect to `parameters`, in double precision, one window
    /// at a time (backpropagation through time).
    func referenceLossAndGradient(windows: [[Double]], targets: [Double], loss: Loss) -> (Double, [Double]) {
        var gradient = [Double](repeating: 0, count: parameterCount)
        var total = 0.0
        let scale = 1 / Double(windows.count)
        for (window, target) in zip(windows, targets) {
            var traces: [LayerTrace] = []
            let y = referenceForward(window, traces: &traces, keep: true)
            let (l, dy) = loss.valueAndDerivative(prediction: y, target: target)
            total += l
            referenceBackward(traces: traces, steps: window.count / inputDim, dy: dy * scale, into: &gradient)
        }
        return (total * scale, gradient)
    }

    func referenceBackward(traces: [LayerTrace], steps: Int, dy: Double, into gradient: inout [Double]) {
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
