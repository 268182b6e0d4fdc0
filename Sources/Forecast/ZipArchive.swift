import Foundation

/// Reads the members of a zip archive that are stored uncompressed, as Keras writes `.keras` files.
struct ZipArchive {
    let path: String
    private let bytes: [UInt8]
    /// Member name → (offset of the data, size).
    private var members: [String: (offset: Int, size: Int, method: UInt16)] = [:]

    init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ForecastError.badModel("\(path): no such file")
        }
        bytes = [UInt8](data)
        // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
        var eocd = -1
        var i = bytes.count - 22
        while i >= max(0, bytes.count - 65_557) {
            if u32(i) == 0x0605_4b50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw ForecastError.badModel("\(path): not a zip archive (no end of central directory)") }
        let entries = Int(u16(eocd + 10))
        var p = Int(u32(eocd + 16))
        for _ in 0..<entries {
            guard p + 46 <= bytes.count, u32(p) == 0x0201_4b50 else {
                throw ForecastError.badModel("\(path): damaged zip central directory")
            }
            let method = u16(p + 10)
            let size = Int(u32(p + 20))
            let nameLength = Int(u16(p + 28)), extra = Int(u16(p + 30)), comment = Int(u16(p + 32))
            let local = Int(u32(p + 42))
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            guard local + 30 <= bytes.count, u32(local) == 0x0403_4b50 else {
                throw ForecastError.badModel("\(path): damaged zip entry \(name)")
            }
            let dataStart = local + 30 + Int(u16(local + 26)) + Int(u16(local + 28))
            guard dataStart + size <= bytes.count else {
                throw ForecastError.badModel("\(path): zip entry \(name) is truncated")
            }
            members[name] = (dataStart, size, method)
            p += 46 + nameLength + extra + comment
        }
    }

    /// The bytes of member `name`.
    func member(_ name: String) throws -> [UInt8] {
        guard let m = members[name] else { throw ForecastError.badModel("\(path): no member \(name)") }
        guard m.method == 0 else {
            throw ForecastError.badModel("\(path): member \(name) is compressed (method \(m.method)); Keras stores "
                                         + "members uncompressed")
        }
        return Array(bytes[m.offset..<(m.offset + m.size)])
    }

    private func u16(_ i: Int) -> UInt16 { UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 }
    private func u32(_ i: Int) -> UInt32 {
        UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
    }
}
