/// Deterministic client order ids: strategy, symbol, the sequence number of the bar the order belongs to, and the
/// order's place among that bar's orders (`threshold-NVDA-000123-1`). The same session run again — or resumed from
/// its journal after a crash — sends the same ids, so a resubmission is recognisable.
public enum ClientOrderID {
    public static func make(strategy: String, symbol: String, barSequence: UInt64, index: Int = 1) -> String {
        let digits = String(barSequence)
        return "\(strategy)-\(symbol)-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + "-\(index)"
    }
}
