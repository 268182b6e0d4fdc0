import TradingCore
/// How a data file is written, as detected from its header and first rows: separator, decimal mark, quoting,
/// time encoding, row order and the columns found. `notes` says, in words, everything that differs from a plain
/// `Time,Open,High,Low,Close,Volume` file with ISO times in increasing order, for logs and summaries.
public struct CSVDialect: Sendable, Equatable {
    /// The field separator: `,`, `;` or tab.
    public var separator: UInt8 = 0x2C
    /// Numbers are written with a decimal comma (`1,2345`).
    public var decimalComma = false
    /// Fields may be wrapped in double quotes.
    public var quoted = false
    /// How times are written.
    public var time: CSVTimeEncoding = .iso
    /// Rows are in decreasing time order (newest first); the loader returns them oldest first.
    public var newestFirst = false
    /// What was detected, one phrase each (empty for a plain file).
    public var notes: [String] = []
    /// Which field each column the loader needs was read from, e.g. `Time = "date" (field 1)`; `Volume = none`.
    public var columns: [String] = []

    public init() {}

    /// The notes joined into one line, or `"plain CSV"`.
    public var summary: String { notes.isEmpty ? "plain CSV" : notes.joined(separator: "; ") }

    /// The separator as written in messages.
    var separatorName: String {
        switch separator {
        case 0x3B: return "';'"
        case 0x09: return "tab"
        default: return "','"
        }
    }

    /// The byte numbers use as the decimal mark.
    var decimalPoint: UInt8 { decimalComma ? 0x2C : 0x2E }
}
