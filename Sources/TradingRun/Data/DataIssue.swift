import TradingCore
/// A row skipped under `BadRowPolicy.skip`, or the reason a load failed: where (file, 1-based line, column
/// name as written in the header, if one column is at fault) and what.
public struct DataIssue: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: String?
    public var message: String

    public init(file: String, line: Int, column: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line: column NAME: message`, e.g. `data/x.csv:12: column High: High 10.5 is below max(Open, Close) 11.0`.
    public var description: String {
        "\(file):\(line)" + (column.map { ": column \($0)" } ?? "") + ": \(message)"
    }
}
