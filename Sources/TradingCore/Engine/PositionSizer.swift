/// How many units an order is: the one sizing rule of the execution model, the risk rules and the execution
/// service's denials. A size in units is taken as it is; a fraction of equity becomes whole units at `price`,
/// rounded down. Pure: the same inputs give the same quantity, bit for bit, wherever it is called.
public enum PositionSizer {
    /// The units of an order for `size` with `equity` to size against, at `price`.
    @inlinable @inline(__always)
    public static func units(_ size: PositionSize, equity: Double, price: Double) -> Double {
        switch size {
        case .units(let u): u
        case .fraction(let f): (f * equity / price).rounded(.down)
        }
    }
}
