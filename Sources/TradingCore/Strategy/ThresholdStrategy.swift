/// The MVP strategy: LONG when the predicted return is above `entryThreshold`, FLAT when it drops below
/// `exitThreshold`, hold in between; with `allowShort`, SHORT below `shortEntryThreshold` and cover above
/// `shortExitThreshold`. A bar without a prediction holds.
public struct ThresholdStrategy: Strategy {
    public static var usesIndicators: Bool { false }
    public var settings: StrategySettings
    private let size: PositionSize

    public init(settings: StrategySettings) {
        self.settings = settings
        self.size = settings.size
    }

    /// The direction the thresholds ask for, given the predicted return and the current position.
    public func target(predictedReturn r: Double, position: Direction) -> Direction {
        if r > settings.entryThreshold { return .long }
        if settings.allowShort && r < settings.shortEntryThreshold { return .short }
        switch position {
        case .long: return r < settings.exitThreshold ? .flat : .long
        case .short: return r > settings.shortExitThreshold ? .flat : .short
        case .flat: return .flat
        }
    }

    public mutating func decide(_ state: StrategyState) -> Signal {
        guard let r = state.predictedReturn else { return Signal(direction: state.position, size: size) }
        return Signal(direction: target(predictedReturn: r, position: state.position), size: size)
    }
}

/// The threshold strategy filtered by trend: longs only while the close is above SMA(`smaPeriod`), shorts only
/// below it; an open position whose side the filter no longer allows is closed.
public struct SMAFilterStrategy: Strategy {
    private var threshold: ThresholdStrategy

    public init(settings: StrategySettings) {
        self.threshold = ThresholdStrategy(settings: settings)
    }

    public mutating func decide(_ state: StrategyState) -> Signal {
        var signal = threshold.decide(state)
        guard let sma = state.indicators.sma else {
            signal.direction = .flat
            return signal
        }
        switch signal.direction {
        case .long where state.close <= sma: signal.direction = .flat
        case .short where state.close >= sma: signal.direction = .flat
        default: break
        }
        return signal
    }
}
