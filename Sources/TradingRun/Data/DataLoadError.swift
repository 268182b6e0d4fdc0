import TradingCore
/// Why a data file could not be loaded. The description names the file, line and column.
public struct DataLoadError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case unreadable
        case notText
        case empty
        case badHeader
        case format
        case badRow
        case noRows
    }

    private let code: Code
    /// Where and what.
    public let issue: DataIssue

    private init(_ code: Code, _ issue: DataIssue) {
        self.code = code
        self.issue = issue
    }

    public var description: String { issue.description }

    /// True when the file itself was fine but a data row failed validation (as opposed to an unreadable or
    /// empty file or a bad header).
    public var isRowError: Bool { code == .badRow }

    /// True when the file was refused from its first bytes as not a text CSV file (binary data, or no line
    /// break where a header line should end), before it was read whole.
    public var isNotText: Bool { code == .notText }

    static func unreadable(_ file: String, _ reason: String) -> DataLoadError {
        DataLoadError(.unreadable, DataIssue(file: file, line: 0, column: nil, message: "cannot read file: \(reason)"))
    }

    static func notText(_ file: String, line: Int, _ reason: String) -> DataLoadError {
        DataLoadError(.notText, DataIssue(file: file, line: line, column: nil,
                                          message: "not a CSV text file: \(reason)"))
    }

    static func empty(_ file: String) -> DataLoadError {
        DataLoadError(.empty, DataIssue(file: file, line: 1, column: nil,
                                        message: "file is empty (expected a header line and data rows)"))
    }

    static func badHeader(_ file: String, _ message: String) -> DataLoadError {
        DataLoadError(.badHeader, DataIssue(file: file, line: 1, column: nil, message: message))
    }

    /// The file's layout was recognised but cannot be read as it is (several tickers, ambiguous dates, thousands
    /// separators): the message says how to convert it.
    static func format(_ file: String, line: Int, _ message: String) -> DataLoadError {
        DataLoadError(.format, DataIssue(file: file, line: line, column: nil, message: message))
    }

    static func badRow(_ issue: DataIssue) -> DataLoadError {
        DataLoadError(.badRow, issue)
    }

    /// No bars or predictions: the header is followed by no data rows, or every row was skipped.
    static func noRows(_ file: String, line: Int, skipped: [DataIssue]) -> DataLoadError {
        let message = skipped.first.map { "no valid rows: all \(skipped.count) data rows were skipped (first: \($0))" }
            ?? "no data rows after the header"
        return DataLoadError(.noRows, DataIssue(file: file, line: line, column: nil, message: message))
    }
}
