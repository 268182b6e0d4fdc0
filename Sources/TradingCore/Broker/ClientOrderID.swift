/// Deterministic client order ids: strategy, symbol, the sequence number of the bar the order belongs to, and the
/// order's place among that bar's orders (`threshold-NVDA-000123-1`). The same session run again — or resumed from
/// its journal after a crash — sends the same ids, so a resubmission is recognisable.
public enum ClientOrderID {
    public static func make(strategy: String, symbol: String, barSequence: UInt64, index: Int = 1) -> String {
        make(prefix: prefix(strategy: strategy, symbol: symbol), barSequence: barSequence, index: index)
    }

    /// The part every id of `strategy` on `symbol` starts with (`threshold-NVDA-`).
    static func prefix(strategy: String, symbol: String) -> String {
        "\(strategy)-\(symbol)-"
    }

    /// The id after `prefix`: the bar sequence padded to six digits, then the order's place.
    static func make(prefix: String, barSequence: UInt64, index: Int) -> String {
        let digits = String(barSequence)
        return prefix + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + "-\(index)"
    }
}
