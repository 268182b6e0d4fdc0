import Foundation

/// The strings a receiver decoded recently — topics, service names, symbols — so that a message repeating them
/// (nearly every message does) gets the same `String` back after a byte comparison instead of a new one made and
/// validated. Short strings only; a handful of slots replaced in turn. Used by one thread (the connection's I/O
/// thread, through its `StreamMonitor`).
final class RecentStrings: @unchecked Sendable {
    private static let slots = 16
    private static let slotBytes = 32
    private let pool: UnsafeMutableRawPointer
    private var lengths = [Int](repeating: -1, count: RecentStrings.slots)
    private var strings = [String](repeating: "", count: RecentStrings.slots)
    private var nextSlot = 0

    init() {
        pool = UnsafeMutableRawPointer.allocate(byteCount: Self.slots * Self.slotBytes, alignment: 8)
    }

    deinit { pool.deallocate() }

    /// The bytes as a string, or nil when they are not valid UTF-8.
    func string(_ raw: UnsafeRawBufferPointer) -> String? {
        let n = raw.count
        guard n > 0, n <= Self.slotBytes, let base = raw.baseAddress else { return WireText.string(raw) }
        for slot in 0..<Self.slots where lengths[slot] == n {
            if memcmp(pool + slot * Self.slotBytes, base, n) == 0 { return strings[slot] }
        }
        guard let made = WireText.string(raw) else { return nil }
        let slot = nextSlot
        nextSlot = (nextSlot + 1) % Self.slots
        (pool + slot * Self.slotBytes).copyMemory(from: base, byteCount: n)
        lengths[slot] = n
        strings[slot] = made
        return made
    }
}
