import TradingCore
/// Finds given bytes in a 64-bit word eight at a time (SWAR), for scanning CSV text without a branch per byte.
enum ByteMask {
    private static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// A word with the high bit of each byte set exactly where `word` holds `byte` (for a word loaded little-endian,
    /// `trailingZeroBitCount / 8` is the index of the first match).
    @inline(__always)
    static func matching(_ word: UInt64, _ byte: UInt8) -> UInt64 {
        let x = word ^ (ones &* UInt64(byte))
        // High bit of each byte of `x` that is zero, with no false positives from borrows.
        return ~(((x & low7) &+ low7) | x | low7)
    }
}
