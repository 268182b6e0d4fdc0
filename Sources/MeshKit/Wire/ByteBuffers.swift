/// Appends little-endian fields: into a caller's scratch buffer while they fit (plain stores, no bounds-checked
/// appends), then into a byte array. `bytes()` returns what was written.
struct ByteWriter {
    private let scratch: UnsafeMutableRawBufferPointer
    private var count = 0
    /// Set once the scratch buffer overflowed: everything written so far, and all later writes.
    private var spill: [UInt8]?

    init(scratch: UnsafeMutableRawBufferPointer) {
        self.scratch = scratch
    }

    @inline(__always) mutating func u8(_ v: UInt8) { append(v) }
    @inline(__always) mutating func u16(_ v: UInt16) { append(v.littleEndian) }
    @inline(__always) mutating func u32(_ v: UInt32) { append(v.littleEndian) }
    @inline(__always) mutating func u64(_ v: UInt64) { append(v.littleEndian) }
    @inline(__always) mutating func i64(_ v: Int64) { append(v.littleEndian) }
    @inline(__always) mutating func f64(_ v: Double) { append(v.bitPattern.littleEndian) }

    /// A string: its length (`length(_:)`), then its UTF-8 bytes, all of them.
    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            length(utf8.count)
            raw(UnsafeRawBufferPointer(utf8))
        }
    }

    /// A length or count: a u16 below 0xFFFF; otherwise 0xFFFF and then the value as a u32 (docs/wire.md). Nothing
    /// is ever cut short: a string of any size travels whole.
    @inline(__always) mutating func length(_ n: Int) {
        if n < Int(WireLength.escape) {
            u16(UInt16(truncatingIfNeeded: n))
        } else {
            u16(WireLength.escape)
            u32(UInt32(n))
        }
    }

    /// The bytes of `s`, with no length prefix.
    mutating func text(_ s: String) {
        var s = s
        s.withUTF8 { raw(UnsafeRawBufferPointer($0)) }
    }

    func bytes() -> [UInt8] {
        spill ?? Array(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
    }

    /// Appends what was written to `array`.
    func append(to array: inout [UInt8]) {
        if let spill { array.append(contentsOf: spill) }
        else { array.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count])) }
    }

    @inline(__always) private mutating func append<T: FixedWidthInteger>(_ v: T) {
        let n = MemoryLayout<T>.size
        if spill == nil && scratch.count - count >= n {
            scratch.storeBytes(of: v, toByteOffset: count, as: T.self)
            count += n
        } else {
            withUnsafeBytes(of: v) { overflow($0) }
        }
    }

    private mutating func raw(_ bytes: UnsafeRawBufferPointer) {
        if spill == nil && scratch.count - count >= bytes.count {
            if let base = bytes.baseAddress, !bytes.isEmpty {
                (scratch.baseAddress! + count).copyMemory(from: base, byteCount: bytes.count)
            }
            count += bytes.count
        } else {
            overflow(bytes)
        }
    }

    private mutating func overflow(_ bytes: UnsafeRawBufferPointer) {
        if spill == nil {
            var array = [UInt8]()
            array.reserveCapacity(2 * scratch.count + bytes.count)
            array.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
            spill = array
        }
        spill!.append(contentsOf: bytes)
    }
}

/// How lengths and counts are written: a u16, or for 0xFFFF and above this escape value followed by a u32.
enum WireLength {
    static let escape: UInt16 = 0xFFFF
}

/// Reads little-endian fields, throwing `WireError.truncated` instead of reading past the end. Reads in place:
/// the bytes (a received frame) must outlive the reader.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    private let recent: RecentStrings?

    /// - Parameter recent: strings decoded before, reused when the same bytes come again.
    init(_ bytes: UnsafeRawBufferPointer, recent: RecentStrings? = nil) {
        self.bytes = bytes
        self.recent = recent
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    @inline(__always) mutating func u8() throws(WireError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(WireError) -> UInt16 { UInt16(littleEndian: try load()) }
    mutating func u32() throws(WireError) -> UInt32 { UInt32(littleEndian: try load()) }
    mutating func u64() throws(WireError) -> UInt64 { UInt64(littleEndian: try load()) }
    mutating func i64() throws(WireError) -> Int64 { Int64(littleEndian: try load()) }
    mutating func f64() throws(WireError) -> Double { Double(bitPattern: UInt64(littleEndian: try load())) }

    mutating func string() throws(WireError) -> String { try string(length: try length()) }

    /// A length or count written by `ByteWriter.length(_:)`.
    @inline(__always) mutating func length() throws(WireError) -> Int {
        let short = try u16()
        return short == WireLength.escape ? Int(try u32()) : Int(short)
    }

    mutating func string(length: Int) throws(WireError) -> String {
        try need(length)
        defer { offset += length }
        guard let s = WireText.string(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]),
                                      reusing: recent) else {
            throw .badString
        }
        return s
    }

    @inline(__always) private mutating func load<T: FixedWidthInteger>() throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        try need(size)
        defer { offset += size }
        return bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
    }

    @inline(__always) private func need(_ n: Int) throws(WireError) {
        if bytes.count - offset < n { throw .truncated(needed: n, remaining: bytes.count - offset) }
    }
}

/// UTF-8 text from received bytes.
enum WireText {
    /// The bytes as a string, or nil when they are not valid UTF-8. ASCII (every topic and name the mesh sends)
    /// takes a short path; anything else is fully validated.
    @inline(__always) static func string(_ raw: UnsafeRawBufferPointer) -> String? {
        guard let base = raw.baseAddress, !raw.isEmpty else { return "" }
        let bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count)
        var high: UInt8 = 0
        for b in bytes { high |= b }
        if high < 0x80 { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `string(_:)`, through `recent` when the receiver keeps one.
    @inline(__always) static func string(_ raw: UnsafeRawBufferPointer, reusing recent: RecentStrings?) -> String? {
        if let recent { return recent.string(raw) }
        return string(raw)
    }
}
