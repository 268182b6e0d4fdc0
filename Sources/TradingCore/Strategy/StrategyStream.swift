/// Runs a configured strategy one bar at a time, as the strategy service does on the bus.
///
/// It keeps the bars seen so far (strategies may look back), updates the same indicators the in-process engine
/// computes, and on each close asks the strategy what to do for each position the account may hold (see
/// `SignalPlan`). The decision for a flat account is made on the strategy itself, the other two on copies, so a
/// strategy that keeps memory between bars must not let it depend on the position it is shown; the built-in
/// strategies keep none.
public struct StrategyStream: Sendable {
    private var strategy: any Strategy
    private let usesIndicators: Bool
    private var bars: BarSeries
    private var indicators: IndicatorTracker

    /// - Throws: `StrategyError` for an unknown strategy or invalid parameters.
    public init(settings: StrategySettings, symbol: String) throws {
        strategy = try StrategyRegistry.make(settings)
        usesIndicators = type(of: strategy).usesIndicators
        bars = BarSeries(symbol: symbol)
        indicators = IndicatorTracker(smaPeriod: settings.smaPeriod)
    }

    /// Bars seen so far.
    public var count: Int { bars.count }

    /// Appends the bar that just closed and its prediction (nil when there is none); returns the decision.
    public mutating func append(_ bar: Bar, predictedReturn: Double?) -> SignalPlan {
        bars.append(bar)
        let indicators = usesIndicators ? self.indicators.update(bar.close) : Indicators()
        let index = bars.count - 1
        return bars.time.withUnsafeBufferPointer { time in
            bars.open.withUnsafeBufferPointer { open in
                bars.high.withUnsafeBufferPointer { high in
                    bars.low.withUnsafeBufferPointer { low in
                        bars.close.withUnsafeBufferPointer { close in
                            bars.volume.withUnsafeBufferPointer { volume in
                                func state(_ position: Direction) -> StrategyState {
                                    StrategyState(index: index, predictedReturn: predictedReturn, position: position,
                                                  indicators: indicators, time: time, open: open, high: high,
                                                  low: low, close: close, volume: volume)
                                }
                                return Self.plan(&strategy, state, predictedReturn: predictedReturn)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The three decisions, with the strategy opened as its concrete type: the copies for the long and short
    /// cases live on the stack (copies of the boxed existential would each allocate a box on every bar).
    private static func plan<S: Strategy>(_ strategy: inout S, _ state: (Direction) -> StrategyState,
                                          predictedReturn: Double?) -> SignalPlan {
        var long = strategy
        var short = strategy
        return SignalPlan(whenFlat: strategy.decide(state(.flat)), whenLong: long.decide(state(.long)),
                          whenShort: short.decide(state(.short)), predictedReturn: predictedReturn)
    }
}
