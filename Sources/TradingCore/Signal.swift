/// The position a strategy wants to hold after the current bar.
public enum Direction: String, Sendable, Hashable, CaseIterable, Codable {
    case long = "LONG"
    case flat = "FLAT"
    case short = "SHORT"

    /// +1 for long, 0 for flat, -1 for short.
    public var sign: Int {
        switch self {
        case .long: 1
        case .flat: 0
        case .short: -1
        }
    }
}

/// How large a position a signal asks for.
public enum PositionSize: Sendable, Hashable {
    /// A fraction of current equity, converted to units at the fill price.
    case fraction(Double)
    /// A fixed number of units (shares).
    case units(Double)
}

/// A strategy's decision on one bar's close: the target direction and its size.
public struct Signal: Sendable, Hashable {
    public var direction: Direction
    public var size: PositionSize

    public init(direction: Direction, size: PositionSize) {
        self.direction = direction
        self.size = size
    }
}
