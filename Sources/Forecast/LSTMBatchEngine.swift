/// Single-precision forward and backward passes of an `LSTMNetwork` over many windows at once.
///
/// Each layer keeps, time-major (row `t · B + b` for step `t` of window `b`), the concatenation
/// `[x_t, h_{t−1}]` of every step, so one step of the whole batch is one matrix product
/// `z_t = [x_t, h_{t−1}] · [W; U] + b` (`[W; U]` is contiguous in the parameter layout). Backpropagation through
/// time runs one `dz_t · Uᵀ` product per step; the weight gradients of all steps are then a single product
/// `[x, h]ᵀ · dz`, and the gradient passed to the layer below is `dz · Wᵀ`. Products go through OpenBLAS on one
/// thread, activations through `VectorMath`. The arithmetic depends only on the parameters, the windows and how
/// they are grouped into batches, so a run is reproducible to the bit.
///
/// Not thread-safe: one engine per thread (buffers are reused from batch to batch).
final class LSTMBatchEngine {
    let inputDim: Int
    let steps: Int
    /// Most windows in one pass; larger requests are split into passes of this size.
    let capacity: Int
    private let layers: [LSTMNetwork.LayerLayout]
    private let denseW: Int, denseB: Int
    private let parameterCount: Int

    /// Parameters in single precision, `LSTMNetwork`'s layout.
    private let weights: UnsafeMutablePointer<Float>
    /// Gradient accumulator, same layout.
    private let gradient: UnsafeMutablePointer<Float>

    /// Per layer: `[x_t, h_{t−1}]` (T × B × (in + u)); gate activations, overwritten by `dz` in the backward pass
    /// (T × B × 4u); cell states and their tanh (T × B × u).
    private var concat: [UnsafeMutablePointer<Float>] = []
    private var gates: [UnsafeMutablePointer<Float>] = []
    private var cells: [UnsafeMutablePointer<Float>] = []
    private var cellTanh: [UnsafeMutablePointer<Float>] = []
    /// The last layer's final hidden state (B × u).
    private let last: UnsafeMutablePointer<Float>
    /// Gradients with respect to a layer's outputs (T × B × u), for the layer being processed and the one below.
    private var dOutput: UnsafeMutablePointer<Float>, dBelow: UnsafeMutablePointer<Float>
    /// Per-step scratch (B × u): recurrent gradient, cell gradient, zeros.
    private let dRecurrent: UnsafeMutablePointer<Float>, dCell: UnsafeMutablePointer<Float>
    private let zeros: UnsafeMutablePointer<Float>
    private var allocations: [UnsafeMutablePointer<Float>] = []

    init(network: LSTMNetwork, steps: Int, capacity: Int) {
        inputDim = network.inputDim
        self.steps = steps
        self.capacity = max(1, capacity)
        layers = network.layers
        denseW = network.denseW
        denseB = network.denseB
        parameterCount = network.parameterCount
        var allocations: [UnsafeMutablePointer<Float>] = []
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
            p.initialize(repeating: 0, count: max(1, count))
            allocations.append(p)
            return p
        }
        let rows = steps * self.capacity
        let widest = max(network.units.max() ?? 1, inputDim)
        weights = buffer(parameterCount)
        gradient = buffer(parameterCount)
        for layer in network.layers {
            concat.append(buffer(rows * (layer.input + layer.units)))
            gates.append(buffer(rows * 4 * layer.units))
            cells.append(buffer(rows * layer.units))
            cellTanh.append(buffer(rows * layer.units))
        }
        last = buffer(self.capacity * (network.units.last ?? 1))
        dOutput = buffer(rows * widest)
        dBelow = buffer(rows * widest)
        dRecurrent = buffer(self.capacity * widest)
        dCell = buffer(self.capacity * widest)
        zeros = buffer(self.capacity * widest)
        self.allocations = allocations
        load(network)
    }

    deinit {
        for p in allocations { p.deallocate() }
    }

    /// Takes the network's current parameters (single precision).
    func load(_ network: LSTMNetwork) {
        precondition(network.parameterCount == parameterCount, "engine built for another network shape")
        network.singlePrecision.withUnsafeBufferPointer { weights.update(from: $0.baseAddress!, count: parameterCount) }
    }

    // MARK: Passes over many windows

    /// Mean loss over the windows `indices` of `inputs` (consecutive windows of `steps × inputDim` floats) and
    /// its gradient with respect to the parameters. With `scale`, the loss and gradient of `scale × Σ loss`
    /// instead (parts of one mini-batch computed separately then add up).
    func lossAndGradient(inputs: UnsafePointer<Float>, indices: some Collection<Int>, targets: [Double],
                         loss: Loss, scale: Double? = nil) -> (Double, [Double]) {
        gradient.update(repeating: 0, count: parameterCount)
        let scale = scale ?? 1 / Double(indices.count)
        var total = 0.0
        var dy = [Double](repeating: 0, count: capacity)
        var start = indices.startIndex
        while start != indices.endIndex {
            let end = indices.index(start, offsetBy: capacity, limitedBy: indices.endIndex) ?? indices.endIndex
            let chunk = indices[start..<end]
            let outputs = forward(inputs: inputs, windows: chunk, keep: true)
            for (b, index) in chunk.enumerated() {
                let (l, d) = loss.valueAndDerivative(prediction: outputs[b], target: targets[index])
                total += l
                dy[b] = d * scale
            }
            backward(count: chunk.count, dy: dy)
            start = end
        }
        let g = [Double](unsafeUninitializedCapacity: parameterCount) { out, initialized in
            for k in 0..<parameterCount { out[k] = Double(gradient[k]) }
            initialized = parameterCount
        }
        return (total * scale, g)
    }

    /// Mean loss over the windows `indices` of `inputs`, without a gradient.
    func loss(inputs: UnsafePointer<Float>, indices: some Collection<Int>, targets: [Double], loss: Loss) -> Double {
        var total = 0.0
        var start = indices.startIndex
        while start != indices.endIndex {
            let end = indices.index(start, offsetBy: capacity, limitedBy: indices.endIndex) ?? indices.endIndex
            let chunk = indices[start..<end]
            let outputs = forward(inputs: inputs, windows: chunk, keep: false)
            for (b, index) in chunk.enumerated() {
                total += loss.valueAndDerivative(prediction: outputs[b], target: targets[index]).0
            }
            start = end
        }
        return total * (1 / Double(indices.count))
    }

    /// Predictions for the windows `range` of `inputs`, in order, written to `out` starting at `out[0]`.
    func predict(inputs: UnsafePointer<Float>, range: Range<Int>, into out: UnsafeMutablePointer<Double>) {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(start + capacity, range.upperBound)
            let outputs = forward(inputs: inputs, windows: start..<end, keep: false)
            for b in 0..<(end - start) { out[start - range.lowerBound + b] = outputs[b] }
            start = end
        }
    }

    // MARK: Forward

    /// Runs at most `capacity` windows; returns their predictions. With `keep`, every step's gates and cells stay
    /// in the buffers for `backward`.
    private func forward(inputs: UnsafePointer<Float>, windows: some Collection<Int>, keep: Bool) -> [Double] {
        let count = windows.count
        precondition(count <= capacity)
        // Layer 0's x parts: step t of window b at row t · B + b.
        let width0 = inputDim + layers[0].units
        for (b, index) in windows.enumerated() {
            let window = inputs + index * steps * inputDim
            for t in 0..<steps {
                (concat[0] + (t * count + b) * width0).update(from: window + t * inputDim, count: inputDim)
            }
        }
        for (l, layer) in layers.enumerated() {
            let input = layer.input, u = layer.units, w4 = 4 * u, width = input + u
            let a = concat[l]
            for b in 0..<count { (a + b * width + input).update(repeating: 0, count: u) }   // h₋₁ = 0
            let next: (pointer: UnsafeMutablePointer<Float>, width: Int)? =
                l + 1 < layers.count ? (concat[l + 1], layers[l + 1].input + layers[l + 1].units) : nil
            for t in 0..<steps {
                let slot = keep ? t : 0
                let z = gates[l] + slot * count * w4
                for b in 0..<count { (z + b * w4).update(from: weights + layer.b, count: w4) }
                VectorMath.gemm(m: count, n: w4, k: width, a: a + t * count * width, lda: width,
                                b: weights + layer.w, ldb: w4, beta: 1, c: z, ldc: w4)
                let cPrev = t == 0 ? zeros : cells[l] + (keep ? t - 1 : 0) * count * u
                let c = cells[l] + slot * count * u, tc = cellTanh[l] + slot * count * u
                // h_t goes to the next step's [x, h] rows (`own`, but for the last step) and to the next layer's
                // x part or, at the last step of the last layer, to `last` (`onward`); computed into one,
                // copied to the other.
                for b in 0..<count {
                    let own = t + 1 < steps ? a + ((t + 1) * count + b) * width + input : nil
                    let onward = next.map { $0.pointer + (t * count + b) * $0.width }
                        ?? (t + 1 == steps ? last + b * u : nil)
                    guard let h = own ?? onward else { continue }
                    VectorMath.lstmCell(z: z + b * w4, units: u, cPrevious: cPrev + b * u, c: c + b * u,
                                        cTanh: tc + b * u, h: h)
                    if let own, let onward { onward.update(from: own, count: u) }
                }
            }
        }
        let u = layers[layers.count - 1].units
        var outputs = [Double](repeating: 0, count: count)
        for b in 0..<count {
            var y = weights[denseB]
            let h = last + b * u
            for j in 0..<u { y += weights[denseW + j] * h[j] }
            outputs[b] = Double(y)
        }
        return outputs
    }

    // MARK: Backward

    /// Adds the gradient of `Σ dy_b · y_b` for the windows of the last `forward(keep: true)` to `gradient`.
    private func backward(count: Int, dy: [Double]) {
        let lastLayer = layers[layers.count - 1]
        let uLast = lastLayer.units
        // Dense head, and the gradient with respect to the last layer's outputs (only the final step has one).
        dOutput.update(repeating: 0, count: steps * count * uLast)
        let dFinal = dOutput + (steps - 1) * count * uLast
        for b in 0..<count {
            let d = Float(dy[b])
            let h = last + b * uLast, dh = dFinal + b * uLast
            for j in 0..<uLast {
                gradient[denseW + j] += d * h[j]
                dh[j] = d * weights[denseW + j]
            }
            gradient[denseB] += d
        }
        for (l, layer) in layers.enumerated().reversed() {
            let input = layer.input, u = layer.units, w4 = 4 * u, width = input + u
            dRecurrent.update(repeating: 0, count: count * u)
            dCell.update(repeating: 0, count: count * u)
            for t in stride(from: steps - 1, through: 0, by: -1) {
                let g = gates[l] + t * count * w4
                let c = cellTanh[l] + t * count * u
                let cPrev = t == 0 ? zeros : cells[l] + (t - 1) * count * u
                let dOut = dOutput + t * count * u
                for b in 0..<count {
                    let row = g + b * w4, tc = c + b * u, pb = cPrev + b * u
                    let dO = dOut + b * u, dR = dRecurrent + b * u, dC = dCell + b * u
                    for j in 0..<u {
                        let i = row[j], f = row[u + j], gg = row[2 * u + j], o = row[3 * u + j]
                        let tcj = tc[j]
                        let dh = dO[j] + dR[j]
                        let dc = dh * o * (1 - tcj * tcj) + dC[j]
                        row[j] = dc * gg * i * (1 - i)
                        row[u + j] = dc * pb[j] * f * (1 - f)
                        row[2 * u + j] = dc * i * (1 - gg * gg)
                        row[3 * u + j] = dh * tcj * o * (1 - o)
                        dC[j] = dc * f
                    }
                }
                if t > 0 {
                    // dh_{t−1} = dz_t · Uᵀ
                    VectorMath.gemm(transB: true, m: count, n: u, k: w4, a: g, lda: w4, b: weights + layer.u,
                                    ldb: w4, beta: 0, c: dRecurrent, ldc: u)
                }
            }
            let dz = gates[l], rows = steps * count
            // [W; U] gradient over every step at once: [x, h]ᵀ · dz.
            VectorMath.gemm(transA: true, m: width, n: w4, k: rows, a: concat[l], lda: width, b: dz, ldb: w4,
                            beta: 1, c: gradient + layer.w, ldc: w4)
            let gb = gradient + layer.b
            for r in 0..<rows {
                let d = dz + r * w4
                for k in 0..<w4 { gb[k] += d[k] }
            }
            if l > 0 {
                // Gradient with respect to this layer's inputs = the outputs of the layer below.
                VectorMath.gemm(transB: true, m: rows, n: input, k: w4, a: dz, lda: w4, b: weights + layer.w,
                                ldb: w4, beta: 0, c: dBelow, ldc: input)
                swap(&dOutput, &dBelow)
            }
        }
    }
}
