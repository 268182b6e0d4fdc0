import Foundation

/// The strings a receiver decoded recently — topics, service names, symbols — so that a message repeating them
/// (nearly every message does) gets the same `String` back after one byte comparison instead of a new one made and
/// validated. Short strings only, in a small table indexed by a hash of the bytes: a string whose slot another one
/// took is made again, never mistaken. Used by one thread (the connection's I/O thread, through its
/// `StreamMonitor`).
final class RecentStrings: @unchecked Sendable {
    private static let slots = 32
    private static let slotBytes = 32
    /// Slot `i`'s bytes at `pool + i * slotBytes`, their count in `lengths[i]` (-1: empty) and the string made
    /// from them in `strings[i]`. Plain memory: this runs for three strings of every message received.
    private let pool: UnsafeMutableRawPointer
    private let lengths: UnsafeMutablePointer<Int>
    private let strings: UnsafeMutablePointer<String>

    init() {
        pool = UnsafeMutableRawPointer.allocate(byteCount: Self.slots * Self.slotBytes, alignment: 8)
        lengths = .allocate(capacity: Self.slots)
        lengths.initialize(repeating: -1, count: Self.slots)
        strings = .allocate(capacity: Self.slots)
        strings.initialize(repeating: "", count: Self.slots)
    }

    deinit {
        pool.deallocate()
        lengths.deallocate()
        strings.deinitialize(count: Self.slots)
        strings.deallocate()
    }

    /// The bytes as a string, or nil when they are not valid UTF-8.
    func string(_ raw: UnsafeRawBufferPointer) -> String? {
        let n = raw.count
        guard n > 0, n <= Self.slotBytes, let base = raw.baseAddress else { return WireText.string(raw) }
        let slot = Self.slot(base, n)
        if lengths[slot] == n && memcmp(pool + slot * Self.slotBytes, base, n) == 0 { return strings[slot] }
        guard let made = WireText.string(raw) else { return nil }
        (pool + slot * Self.slotBytes).copyMemory(from: base, byteCount: n)
        lengths[slot] = n
        strings[slot] = made
        return made
    }

    /// A slot from the length and the first and last (up to) eight bytes.
    @inline(__always) private static func slot(_ base: UnsafeRawPointer, _ n: Int) -> Int {
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if n >= 8 {
            head = base.loadUnaligned(as: UInt64.self)
            tail = base.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        } else {
            for i in 0..<n { head = head << 8 | UInt64(base.load(fromByteOffset: i, as: UInt8.self)) }
        }
        let mixed = (head ^ tail &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: mixed >> 59)   // the top 5 bits: 0..<32
    }
}
