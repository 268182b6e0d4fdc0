import TradingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal numbers straight from bytes, giving exactly the double `Double(String)` gives.
///
/// The digits are accumulated into an integer mantissa and a power of ten. When the mantissa fits in 53 bits
/// and the power's magnitude is at most 22 (Clinger's fast path) both are exact doubles, so one multiplication
/// or division yields the correctly rounded result. Anything else (more than 19 significant digits, large
/// exponents, `nan`, `inf`, hexadecimal) is handed to the C library's correctly rounded `strtod`.
enum DecimalParser {
    /// The number in `bytes[start..<end]` (ASCII spaces around it are ignored), or nil if it is not a number.
    /// `nan` and `inf` spellings are numbers here; callers check finiteness to give a clear message. `point` is
    /// the decimal mark (`.`, or `,` for a file written with decimal commas).
    @inline(__always)
    static func parse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, point: UInt8 = 0x2E) -> Double? {
        var i = start
        var e = end
        while i < e && bytes[i] == 0x20 { i += 1 }
        while e > i && bytes[e - 1] == 0x20 { e -= 1 }
        guard i < e else { return nil }
        let first = i
        var negative = false
        if bytes[i] == 0x2D { negative = true; i += 1 } else if bytes[i] == 0x2B { i += 1 }
        var digits = Digits()
        // Integer part, then fraction (each fraction digit lowers the exponent by one).
        guard digits.accumulate(bytes, &i, e) else { return slowParse(bytes, first, e, point: point) }
        var exponent = 0
        if i < e && bytes[i] == point {
            i += 1
            let fractionStart = i
            guard digits.accumulate(bytes, &i, e) else { return slowParse(bytes, first, e, point: point) }
            exponent = fractionStart - i
        }
        let mantissa = digits.mantissa
        let sawDigit = digits.sawDigit
        guard sawDigit else { return slowParse(bytes, first, e, point: point) }
        // Exponent.
        if i < e && (bytes[i] | 0x20) == 0x65 {
            i += 1
            var exponentNegative = false
            if i < e && (bytes[i] == 0x2D || bytes[i] == 0x2B) { exponentNegative = bytes[i] == 0x2D; i += 1 }
            var value = 0
            var sawExponentDigit = false
            while i < e {
                let d = bytes[i] &- 0x30
                guard d < 10 else { break }
                sawExponentDigit = true
                if value < 100_000 { value = value * 10 + Int(d) }
                i += 1
            }
            guard sawExponentDigit else { return nil }
            exponent += exponentNegative ? -value : value
        }
        guard i == e else { return slowParse(bytes, first, e, point: point) }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        guard mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else {
            return slowParse(bytes, first, e, point: point)
        }
        var value = Double(mantissa)
        if exponent < 0 {
            value /= powersOfTen[-exponent]
        } else if exponent > 0 {
            value *= powersOfTen[exponent]
        }
        return negative ? -value : value
    }

    /// `Double(text)` semantics for a String (used for tests and small inputs).
    static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return parse(base, 0, buffer.count)
        }
    }

    /// The C library's correctly rounded conversion; nil unless it consumes the whole field.
    private static func slowParse(_ bytes: UnsafePointer<UInt8>, _ start: Int, _ end: Int, point: UInt8) -> Double? {
        let count = end - start
        guard count < 1024 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
            guard let base = buffer.baseAddress else { return nil }
            for k in 0..<count {
                let byte = bytes[start + k]
                base[k] = CChar(bitPattern: byte == point ? 0x2E : byte == 0x2E && point != 0x2E ? 0x21 : byte)
            }
            base[count] = 0
            // strtod skips leading white space; the field has none left, but reject any other leading space.
            if count == 0 || base[0] == 0x09 || base[0] == 0x0A || base[0] == 0x0D { return nil }
            var stop: UnsafeMutablePointer<CChar>?
            let value = strtod(base, &stop)
            guard let stop, stop == base + count else { return nil }
            return value
        }
    }

    private static let powersOfTen: [Double] = [
        1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// The decimal digits read so far: at most 19 significant ones, accumulated as an integer.
    private struct Digits {
        var mantissa: UInt64 = 0
        var significant = 0
        var sawDigit = false

        /// Reads digits from `bytes[i..<end]`, advancing `i`; false if there are more than 19 significant ones.
        @inline(__always)
        mutating func accumulate(_ bytes: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int) -> Bool {
            while i < end {
                let d = bytes[i] &- 0x30
                guard d < 10 else { break }
                sawDigit = true
                if mantissa != 0 || d != 0 {
                    significant += 1
                    guard significant <= 19 else { return false }
                    mantissa = mantissa &* 10 &+ UInt64(d)
                }
                i += 1
            }
            return true
        }
    }
}
