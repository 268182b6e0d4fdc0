import TradingCore
/// How a data file writes its times, as detected from its first rows (see `CSVDialect`).
///
/// `.iso` is the fast path (`Timestamps.parse`); the others are parsed by `LooseTime`.
public enum CSVTimeEncoding: Sendable, Equatable {
    /// ISO-8601 (`2020-01-02T09:30:00`, `2020-01-02 09:30:00Z`, `2020-01-02`, …).
    case iso
    /// A date written `yyyyMMdd`, `yyyy.MM.dd` or `yyyy/MM/dd`, optionally followed by spaces and `HH:mm[:ss]`
    /// (Interactive Brokers' `20170419  09:00:00`, MetaTrader's `2020.01.02 09:30`), and optionally by a zone
    /// name (`US/Eastern`) that every row must repeat; the time is kept as written, in that zone's clock.
    case loose(zone: String?)
    /// Whole seconds since 1970-01-01T00:00:00Z.
    case epochSeconds
    /// Whole milliseconds since 1970-01-01T00:00:00Z.
    case epochMilliseconds
    /// A date column (any of the date forms above, or ISO) plus a separate `HH:mm[:ss]` column at `clockField`
    /// (MetaTrader's `<DATE>,<TIME>`).
    case dateAndClock(clockField: Int)

    /// How the encoding is named in the detected-format summary.
    var summary: String {
        switch self {
        case .iso: return "ISO-8601 times"
        case .loose(let zone):
            let zoneNote = zone.map { " in zone \($0) (kept as written, no conversion)" } ?? ""
            return "yyyyMMdd / yyyy.MM.dd times" + zoneNote
        case .epochSeconds: return "epoch seconds (UTC)"
        case .epochMilliseconds: return "epoch milliseconds (UTC)"
        case .dateAndClock: return "separate date and time columns"
        }
    }
}
