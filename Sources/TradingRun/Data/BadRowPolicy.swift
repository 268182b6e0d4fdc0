import TradingCore
/// What to do with a row that fails validation.
public enum BadRowPolicy: String, Sendable, CaseIterable {
    /// Stop with an error naming file, line and column.
    case fail
    /// Skip the row and report it.
    case skip
}
