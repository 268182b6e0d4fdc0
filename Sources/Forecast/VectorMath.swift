import COpenBLAS

/// Single-precision kernels of the LSTM: OpenBLAS matrix products (row-major, one thread) and vectorised
/// logistic sigmoid and tanh.
///
/// The activations use one exponential each, evaluated eight lanes at a time with Cephes's range reduction and
/// degree-6 polynomial (about 1 ulp); a partial block of units is zero-padded into a full vector, so every element
/// goes through exactly the same arithmetic wherever it sits. `sigmoid(x) = 1 / (1 + e^−x)`,
/// `tanh(x) = 1 − 2 / (1 + e^2x)`: absolute errors of a few 1e-8, well inside Keras parity.
enum VectorMath {
    /// OpenBLAS pinned to one thread, once per process: results then do not depend on the machine's load, and
    /// concurrent callers do not oversubscribe the cores.
    private static let configured: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// `C (m × n) = alpha · op(A) · op(B) + beta · C`, row-major, with leading dimensions given.
    @inline(__always)
    static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
                     c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(configured)
        guard m > 0, n > 0 else { return }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `y (n) = xᵀ · A + beta · y` for a row-major `m × n` matrix `A` (a row vector times a matrix).
    @inline(__always)
    static func rowVectorTimesMatrix(m: Int, n: Int, a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                                     beta: Float, y: UnsafeMutablePointer<Float>) {
        precondition(configured)
        cblas_sgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(n), 1, a, Int32(lda), x, 1, beta, y, 1)
    }

    typealias Vector = SIMD8<Float>

    /// e^x for each lane; x is clamped to [−87.3, 88.3] so that the result stays a normal float.
    @inline(__always)
    static func exp(_ input: Vector) -> Vector {
        let low = Vector(repeating: -87.3), high = Vector(repeating: 88.3)
        let x = input.replacing(with: low, where: input .< low).replacing(with: high, where: input .> high)
        // n = round(x / ln 2) by the 1.5·2²³ trick (round to nearest, no SSE4.1 needed).
        let magic = Vector(repeating: 12_582_912)
        let shifted = x * 1.442_695_04 + magic
        let n = shifted - magic
        // r = x − n·ln 2 in two parts, |r| ≤ ln 2 / 2.
        var r = x - n * 0.693_359_375
        r = r + n * 2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        p = p * (r * r) + r + 1
        // 2ⁿ from the integer in the low mantissa bits of `shifted`.
        let bits = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((bits &+ 127) &<< 23, to: Vector.self)
        return p * scale
    }

    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector { 1 / (1 + exp(-x)) }

    @inline(__always)
    static func tanh(_ x: Vector) -> Vector { 1 - 2 / (1 + exp(x + x)) }

    /// Loads `count` (≤ 8) floats into a vector, zero-padded.
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>, _ count: Int) -> Vector {
        if count == Vector.scalarCount { return UnsafeRawPointer(p).loadUnaligned(as: Vector.self) }
        var v = Vector(repeating: 0)
        for j in 0..<count { v[j] = p[j] }
        return v
    }

    /// Stores the first `count` (≤ 8) lanes of `v`.
    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == Vector.scalarCount {
            UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
        } else {
            for j in 0..<count { p[j] = v[j] }
        }
    }

    /// One LSTM cell update for `units` units: `z` holds the pre-activations `[z_i, z_f, z_c, z_o]` (4 × units)
    /// and receives the activations `[i, f, g, o]`; `c = f·cPrevious + i·g`, `cTanh = tanh(c)`,
    /// `h = o·tanh(c)`. `cPrevious` may be `c` itself.
    @inline(__always)
    static func lstmCell(z: UnsafeMutablePointer<Float>, units u: Int, cPrevious: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, cTanh: UnsafeMutablePointer<Float>,
                         h: UnsafeMutablePointer<Float>) {
        var j = 0
        while j < u {
            let n = min(Vector.scalarCount, u - j)
            let i = sigmoid(load(z + j, n)), f = sigmoid(load(z + u + j, n))
            let g = tanh(load(z + 2 * u + j, n)), o = sigmoid(load(z + 3 * u + j, n))
            let cell = f * load(cPrevious + j, n) + i * g
            let t = tanh(cell)
            store(i, z + j, n)
            store(f, z + u + j, n)
            store(g, z + 2 * u + j, n)
            store(o, z + 3 * u + j, n)
            store(cell, c + j, n)
            store(t, cTanh + j, n)
            store(o * t, h + j, n)
            j += n
        }
    }
}
