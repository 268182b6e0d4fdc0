import Foundation
import Testing
@testable import Forecast

@Suite struct VectorMathTests {
    /// The vectorised sigmoid and tanh against the C library in double precision, from deep saturation to zero,
    /// including values whose exponential would overflow or underflow a float.
    @Test func activationsMatchTheCLibrary() {
        var xs: [Float] = [-1_000, -200, -88.5, -87.5, -50, -20, -9, 0, 9, 20, 50, 87.5, 88.5, 200, 1_000]
        for k in -4_000...4_000 { xs.append(Float(k) / 400) }   // [-10, 10] in steps of 0.0025
        var worstSigmoid = 0.0, worstTanh = 0.0
        for start in stride(from: 0, to: xs.count, by: 8) {
            var v = VectorMath.Vector(repeating: 0)
            let n = min(8, xs.count - start)
            for j in 0..<n { v[j] = xs[start + j] }
            let s = VectorMath.sigmoid(v), t = VectorMath.tanh(v)
            for j in 0..<n {
                let x = Double(xs[start + j])
                #expect(s[j].isFinite && t[j].isFinite, "x = \(x)")
                worstSigmoid = max(worstSigmoid, abs(Double(s[j]) - 1 / (1 + Foundation.exp(-x))))
                worstTanh = max(worstTanh, abs(Double(t[j]) - Foundation.tanh(x)))
            }
        }
        #expect(worstSigmoid < 2e-7, "sigmoid max abs error \(worstSigmoid)")
        #expect(worstTanh < 4e-7, "tanh max abs error \(worstTanh)")
    }

    /// A partial block of units goes through the same arithmetic as a full one.
    @Test func cellUpdateIsTheSameForPartialBlocks() {
        let u = 11
        var z = (0..<(4 * u)).map { Float($0 % 7) * 0.37 - 1.1 }
        let cPrev = (0..<u).map { Float($0) * 0.21 - 1 }
        var c = [Float](repeating: 0, count: u), tc = c, h = c
        VectorMath.lstmCell(z: &z, units: u, cPrevious: cPrev, c: &c, cTanh: &tc, h: &h)
        for j in 0..<u {
            let zi = Double(Float(j % 7) * 0.37 - 1.1), zf = Double(Float((u + j) % 7) * 0.37 - 1.1)
            let zg = Double(Float((2 * u + j) % 7) * 0.37 - 1.1), zo = Double(Float((3 * u + j) % 7) * 0.37 - 1.1)
            let cell = 1 / (1 + Foundation.exp(-zf)) * Double(cPrev[j]) + 1 / (1 + Foundation.exp(-zi)) * Foundation.tanh(zg)
            #expect(abs(Double(c[j]) - cell) < 1e-6)
            #expect(abs(Double(h[j]) - 1 / (1 + Foundation.exp(-zo)) * Foundation.tanh(cell)) < 1e-6)
            #expect(tc[j] == VectorMath.tanh(VectorMath.Vector(repeating: c[j]))[0])
        }
    }
}
