/// A trading strategy: on each bar's close it looks at the `StrategyState` and says which position it wants.
///
/// The engine calls `decide` once per bar, in time order, and executes a change of direction at the next bar's
/// open. Strategies are value types specialised generically by the engine, so a call costs no allocation.
public protocol Strategy: Sendable {
    /// The target position after this bar. Returning the current direction means "hold".
    mutating func decide(_ state: StrategyState) -> Signal

    /// Whether `decide` reads `state.indicators`; when false the engine skips computing them.
    static var usesIndicators: Bool { get }
}

extension Strategy {
    public static var usesIndicators: Bool { true }
}

/// What a strategy sees on a bar's close.
///
/// The bar columns are borrowed from the engine for the duration of the call; `bar(ago:)` and `close(ago:)`
/// give access to earlier bars without copying.
public struct StrategyState {
    /// Index of the current bar in the series.
    public let index: Int
    /// The latest prediction's return for the next bar, or nil when this bar has no prediction.
    public let predictedReturn: Double?
    /// The direction of the position currently held.
    public let position: Direction
    /// Indicators computed on closes up to and including this bar.
    public let indicators: Indicators

    @usableFromInline let open: UnsafeBufferPointer<Double>
    @usableFromInline let high: UnsafeBufferPointer<Double>
    @usableFromInline let low: UnsafeBufferPointer<Double>
    @usableFromInline let closes: UnsafeBufferPointer<Double>
    @usableFromInline let volume: UnsafeBufferPointer<Double>
    @usableFromInline let time: UnsafeBufferPointer<Int64>

    @inlinable
    init(index: Int, predictedReturn: Double?, position: Direction, indicators: Indicators,
         time: UnsafeBufferPointer<Int64>, open: UnsafeBufferPointer<Double>, high: UnsafeBufferPointer<Double>,
         low: UnsafeBufferPointer<Double>, close: UnsafeBufferPointer<Double>, volume: UnsafeBufferPointer<Double>) {
        self.index = index
        self.predictedReturn = predictedReturn
        self.position = position
        self.indicators = indicators
        self.time = time
        self.open = open
        self.high = high
        self.low = low
        self.closes = close
        self.volume = volume
    }

    /// The current bar's close.
    @inlinable public var close: Double { closes[index] }

    /// The close `ago` bars back (0 = this bar), or nil before the start of the series.
    @inlinable
    public func close(ago: Int) -> Double? {
        let i = index - ago
        return i >= 0 && ago >= 0 ? closes[i] : nil
    }

    /// The bar `ago` bars back (0 = this bar), or nil before the start of the series.
    public func bar(ago: Int) -> Bar? {
        let i = index - ago
        guard i >= 0, ago >= 0 else { return nil }
        return Bar(time: time[i], open: open[i], high: high[i], low: low[i], close: closes[i], volume: volume[i])
    }
}

/// Indicator values on the current bar's close; nil until enough bars have been seen.
public struct Indicators: Sendable {
    /// Simple moving average of the close over the configured period.
    public var sma: Double?
    /// Wilder's RSI of the close over `IndicatorTracker.rsiPeriod` bars.
    public var rsi: Double?

    public init(sma: Double? = nil, rsi: Double? = nil) {
        self.sma = sma
        self.rsi = rsi
    }
}

/// Errors in strategy settings.
public struct StrategyError: Error, CustomStringConvertible, Sendable {
    private enum Code { case unknownName, badParameter }
    private let code: Code
    public let description: String

    static func unknownName(_ name: String) -> StrategyError {
        StrategyError(code: .unknownName,
                      description: "strategy.name: unknown strategy '\(name)' (known: "
                          + StrategyRegistry.names.joined(separator: ", ") + ")")
    }

    static func badParameter(_ key: String, _ why: String) -> StrategyError {
        StrategyError(code: .badParameter, description: "strategy.\(key): \(why)")
    }
}
