/// A strategy's decision on one bar's close for each position the account may hold when the order is placed.
///
/// On the mesh the strategy service cannot know, without waiting for the execution service, which position the
/// account will hold once bar N has been executed: a stop may have fired, an entry may have been refused. So it
/// decides for all three positions and the execution service applies the one that matches. The two services then
/// never wait for each other, and the result is exactly the in-process engine's (docs/execution.md).
public struct SignalPlan: Sendable, Hashable {
    public var whenFlat: Signal
    public var whenLong: Signal
    public var whenShort: Signal
    /// The predicted return the decision used; nil when the bar had no prediction.
    public var predictedReturn: Double?

    public init(whenFlat: Signal, whenLong: Signal, whenShort: Signal, predictedReturn: Double?) {
        self.whenFlat = whenFlat
        self.whenLong = whenLong
        self.whenShort = whenShort
        self.predictedReturn = predictedReturn
    }

    /// The decision for an account holding `position`.
    public func signal(for position: Direction) -> Signal {
        switch position {
        case .flat: whenFlat
        case .long: whenLong
        case .short: whenShort
        }
    }
}
