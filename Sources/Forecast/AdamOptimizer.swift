/// Adam (Kingma & Ba) with Keras's defaults, over a flat parameter vector.
public struct AdamOptimizer: Sendable {
    public var learningRate: Double
    public let beta1: Double, beta2: Double, epsilon: Double
    private var m: [Double], v: [Double]
    private var step = 0

    public init(parameterCount: Int, learningRate: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-7) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        m = [Double](repeating: 0, count: parameterCount)
        v = [Double](repeating: 0, count: parameterCount)
    }

    /// Applies one update for `gradient` to `parameters`.
    public mutating func update(_ parameters: inout [Double], gradient: [Double]) {
        step += 1
        let c1 = 1 - pow(beta1, Double(step)), c2 = 1 - pow(beta2, Double(step))
        for k in parameters.indices {
            m[k] = beta1 * m[k] + (1 - beta1) * gradient[k]
            v[k] = beta2 * v[k] + (1 - beta2) * gradient[k] * gradient[k]
            parameters[k] -= learningRate * (m[k] / c1) / ((v[k] / c2).squareRoot() + epsilon)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
