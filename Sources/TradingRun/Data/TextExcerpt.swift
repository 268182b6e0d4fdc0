import TradingCore
/// A short, printable excerpt of untrusted bytes for an error message: at most `limit` characters, control
/// characters and quotes escaped (`\0`, `\t`, `\x1B`, `\"`), and `…(N bytes)` appended when the bytes were cut.
///
/// Messages quote data through this, so that a malformed file (one 2 GB "line" of NUL bytes) yields a one-line
/// error rather than echoing the file.
enum TextExcerpt {
    /// Characters kept before cutting.
    static let limit = 80

    /// The excerpt of `count` bytes at `start`.
    static func of(_ start: UnsafePointer<UInt8>, count: Int, limit: Int = TextExcerpt.limit) -> String {
        excerpt(start, available: min(count, 4 * limit + 4), total: count, limit: limit)
    }

    /// The excerpt of a string.
    static func of(_ text: String, limit: Int = TextExcerpt.limit) -> String {
        let head = Array(text.utf8.prefix(4 * limit + 4))
        return head.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return "" }
            return excerpt(base, available: buffer.count, total: text.utf8.count, limit: limit)
        }
    }

    /// Decodes `available` of `total` bytes (a character is at most 4 bytes, so `4 * limit + 4` always hold more
    /// than `limit` characters) and keeps the first `limit` characters.
    private static func excerpt(_ start: UnsafePointer<UInt8>, available: Int, total: Int, limit: Int) -> String {
        let decoded = String(decoding: UnsafeBufferPointer(start: start, count: available), as: UTF8.self)
        var out = ""
        var kept = 0
        var cut = available < total
        for scalar in decoded.unicodeScalars {
            if kept == limit {
                cut = true
                break
            }
            out += escaped(scalar)
            kept += 1
        }
        return cut ? out + "…(\(total) bytes)" : out
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\0": return "\\0"
        case "\t": return "\\t"
        case "\r": return "\\r"
        case "\n": return "\\n"
        case "\"": return "\\\""
        case "\\": return "\\\\"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                return "\\x" + (hex.count < 2 ? "0" + hex : hex)
            }
            return String(scalar)
        }
    }
}
