/// The built-in strategies by name: the one place that turns a config's `strategy.name` into a `Strategy`.
///
/// The in-process engine, the streaming backtest and the strategy service all come here, so a strategy added to
/// `names` and to `open` is available everywhere at once.
public enum StrategyRegistry {
    /// The names a config may give as `strategy.name`.
    public static let names = ["threshold", "sma_filter"]

    /// Checks `settings` and hands the strategy it names to `body` as its concrete type, so that generic code
    /// (the engine's per-bar loop) is specialised for it rather than calling through an existential.
    /// - Throws: `StrategyError` for an unknown name or invalid parameters; whatever `body` throws.
    public static func open<Body: StrategyBody>(_ settings: StrategySettings, _ body: Body) throws -> Body.Output {
        try Backtest.validate(settings)
        switch settings.name {
        case "threshold": return try body(ThresholdStrategy(settings: settings))
        case "sma_filter": return try body(SMAFilterStrategy(settings: settings))
        default: throw StrategyError.unknownName(settings.name)
        }
    }

    /// The strategy `settings` names, boxed: for code that holds one strategy for a whole session.
    public static func make(_ settings: StrategySettings) throws -> any Strategy {
        try open(settings, Boxing())
    }

    private struct Boxing: StrategyBody {
        func callAsFunction<S: Strategy>(_ strategy: S) -> any Strategy { strategy }
    }
}

/// What `StrategyRegistry.open` does with the strategy it made (a generic function as a value).
public protocol StrategyBody {
    associatedtype Output
    func callAsFunction<S: Strategy>(_ strategy: S) throws -> Output
}
