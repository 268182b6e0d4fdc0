/// Decides which of a run of similar warnings are written, so that traffic nobody controls (a spoofing or broken
/// publisher, 100,000 made-up source names) cannot fill the log or the memory.
///
/// Each key (a topic, a source) is written once, for the first `distinctKeys` keys; the keys remembered are
/// bounded by that number. Past it, and for warnings without a key, the first `firstCount` occurrences are written
/// and then only the 2ⁿ-th ones (with the count so far, so nothing is hidden: the log says how many there were).
/// No clock is read: the same traffic always gives the same lines.
public struct WarningLimiter: Sendable {
    private var keys: Set<String> = []
    private let distinctKeys: Int
    private let firstCount: UInt64
    /// Occurrences counted past the remembered keys (or without a key).
    public private(set) var overflow: UInt64 = 0

    public init(distinctKeys: Int = 32, firstCount: UInt64 = 16) {
        self.distinctKeys = distinctKeys
        self.firstCount = firstCount
    }

    /// Counts one occurrence for `key`; true when it should be written. A key already written is not written again
    /// while remembered.
    public mutating func admit(key: String) -> Bool {
        if keys.contains(key) { return false }
        if keys.count < distinctKeys {
            keys.insert(key)
            return true
        }
        return admit()
    }

    /// Counts one occurrence of a warning without a key; true when it should be written: the first `firstCount`,
    /// then the 2ⁿ-th.
    public mutating func admit() -> Bool {
        overflow += 1
        return overflow <= firstCount || overflow & (overflow - 1) == 0
    }
}
