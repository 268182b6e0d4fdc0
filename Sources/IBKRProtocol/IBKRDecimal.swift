/// A decimal quantity as the TWS API writes it (`10`, `10.5`, `-3`): kept as its exact text, normalised so that
/// `10.0` equals `10`, so no digit is lost between the wire and the journal.
public struct IBKRDecimal: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The spellings the API uses for "unset" (read as nil, never as a quantity).
    static let unsetSpellings: Set<String> = [
        "2147483647", "9223372036854775807", "-9223372036854775808", "1.7976931348623157E308",
        "1.7976931348623157e+308",
    ]

    /// Zero.
    public static let zero = IBKRDecimal(normalised: "0")

    /// The normalised text: optional `-`, digits, optionally `.` and digits without trailing zeros.
    public let description: String

    private init(normalised: String) {
        description = normalised
    }

    /// Parses a plain decimal (`-12.50`); nil for anything else (exponents included).
    public init?(_ text: String) {
        var utf8 = Array(text.utf8)
        var negative = false
        if utf8.first == UInt8(ascii: "-") {
            negative = true
            utf8.removeFirst()
        }
        guard !utf8.isEmpty else { return nil }
        var dot: Int?
        for (offset, byte) in utf8.enumerated() {
            if byte == UInt8(ascii: ".") {
                guard dot == nil else { return nil }
                dot = offset
            } else if byte < UInt8(ascii: "0") || byte > UInt8(ascii: "9") {
                return nil
            }
        }
        if let dot {
            guard dot > 0 || utf8.count > 1 else { return nil }
            while utf8.last == UInt8(ascii: "0") && utf8.count - 1 > dot { utf8.removeLast() }
            if utf8.last == UInt8(ascii: ".") { utf8.removeLast() }
            if utf8.first == UInt8(ascii: ".") { utf8.insert(UInt8(ascii: "0"), at: 0) }
        }
        let integerEnd = utf8.firstIndex(of: UInt8(ascii: ".")) ?? utf8.count
        var leading = 0
        while leading < integerEnd - 1 && utf8[leading] == UInt8(ascii: "0") { leading += 1 }
        utf8.removeFirst(leading)
        let body = String(decoding: utf8, as: UTF8.self)
        description = negative && body != "0" ? "-" + body : body
    }

    /// An integer quantity.
    public init(_ value: Int) {
        description = String(value)
    }

    /// An integer quantity, from a literal.
    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// A quantity from a double, when it can be written without an exponent (nil for NaN, infinities, 1e20 …).
    public init?(exactly value: Double) {
        guard value.isFinite else { return nil }
        if value == value.rounded(), abs(value) < 9.0e15 {
            self.init(Int(value))
            return
        }
        let text = value.description
        guard !text.contains("e") else { return nil }
        self.init(text)
    }

    /// The quantity as a double (exact for whole shares and for the fractions the API uses).
    public var doubleValue: Double { Double(description) ?? 0 }

    /// True for a quantity below zero.
    public var isNegative: Bool { description.hasPrefix("-") }
}
