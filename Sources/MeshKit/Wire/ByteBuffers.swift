/// Appends little-endian fields to a byte array.
struct ByteWriter {
    var buffer: [UInt8]

    init(capacity: Int) {
        buffer = []
        buffer.reserveCapacity(capacity)
    }

    @inline(__always) mutating func u8(_ v: UInt8) { buffer.append(v) }
    @inline(__always) mutating func u16(_ v: UInt16) { append(v.littleEndian) }
    @inline(__always) mutating func u64(_ v: UInt64) { append(v.littleEndian) }
    @inline(__always) mutating func i64(_ v: Int64) { append(v.littleEndian) }
    @inline(__always) mutating func f64(_ v: Double) { append(v.bitPattern.littleEndian) }
    @inline(__always) mutating func bytes(_ b: [UInt8]) { buffer.append(contentsOf: b) }

    mutating func string(_ s: String) {
        let utf8 = s.utf8.prefix(Int(UInt16.max))
        u16(UInt16(utf8.count))
        buffer.append(contentsOf: utf8)
    }

    @inline(__always) private mutating func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v) { buffer.append(contentsOf: $0) }
    }
}

/// Reads little-endian fields, throwing `WireError.truncated` instead of reading past the end.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset == bytes.count }

    @inline(__always) mutating func u8() throws(WireError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws(WireError) -> UInt16 { UInt16(littleEndian: try load()) }
    mutating func u64() throws(WireError) -> UInt64 { UInt64(littleEndian: try load()) }
    mutating func i64() throws(WireError) -> Int64 { Int64(littleEndian: try load()) }
    mutating func f64() throws(WireError) -> Double { Double(bitPattern: UInt64(littleEndian: try load())) }

    mutating func string() throws(WireError) -> String { try string(length: Int(try u16())) }

    mutating func string(length: Int) throws(WireError) -> String {
        try need(length)
        defer { offset += length }
        let start = offset
        let s = bytes.withUnsafeBufferPointer {
            String(validating: UnsafeBufferPointer(rebasing: $0[start..<start + length]), as: UTF8.self)
        }
        guard let s else { throw .badString }
        return s
    }

    @inline(__always) private mutating func load<T: FixedWidthInteger>() throws(WireError) -> T {
        let size = MemoryLayout<T>.size
        try need(size)
        defer { offset += size }
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    @inline(__always) private func need(_ n: Int) throws(WireError) {
        if bytes.count - offset < n { throw .truncated(needed: n, remaining: bytes.count - offset) }
    }
}
