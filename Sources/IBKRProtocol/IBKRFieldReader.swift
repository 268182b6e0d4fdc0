/// Reads the NUL-terminated text fields of one message payload in order, with the decoding rules of the TWS API
/// (empty numbers read as 0, Java-style doubles, unset sentinels), naming the message and field on any error.
public struct IBKRFieldReader: Sendable {
    private let payload: [UInt8]
    private var position = 0
    private var index = 0
    /// The message being read, used in error messages.
    public var message: String

    /// A reader at the first field of `payload`.
    public init(payload: [UInt8], message: String) {
        self.payload = payload
        self.message = message
    }

    /// True when every field has been read.
    public var isAtEnd: Bool { position >= payload.count }

    /// The index of the next field (0 is the message id).
    public var fieldIndex: Int { index }

    /// The next field's bytes (without its NUL).
    private mutating func next(_ field: String) throws(IBKRProtocolError) -> ArraySlice<UInt8> {
        guard position < payload.count else { throw .missingField(message: message, field: field, index: index) }
        var end = position
        while end < payload.count && payload[end] != 0 { end += 1 }
        guard end < payload.count else {
            // The last field lacks its terminating NUL: the frame is truncated.
            throw .missingField(message: message, field: field, index: index)
        }
        let slice = payload[position..<end]
        position = end + 1
        index += 1
        return slice
    }

    private func malformed(_ field: String, _ bytes: ArraySlice<UInt8>, _ expected: String) -> IBKRProtocolError {
        .malformedField(message: message, field: field, index: index - 1, text: Self.text(bytes), expected: expected)
    }

    /// Skips one field (it must be present).
    public mutating func skip(_ field: String) throws(IBKRProtocolError) {
        _ = try next(field)
    }

    /// A text field (UTF-8; bytes that are not UTF-8 are read as Latin-1).
    public mutating func string(_ field: String) throws(IBKRProtocolError) -> String {
        Self.text(try next(field))
    }

    /// A text field in which TWS may have escaped non-ASCII characters as `\uXXXX` (error text, long names).
    public mutating func escapedString(_ field: String) throws(IBKRProtocolError) -> String {
        Self.unescape(try string(field))
    }

    /// A number field parsed by `parse`; nil when the field is empty.
    private mutating func number<Value>(_ field: String, expected: String,
                                        _ parse: (ArraySlice<UInt8>) -> Value?) throws(IBKRProtocolError) -> Value? {
        let bytes = try next(field)
        if bytes.isEmpty { return nil }
        guard let value = parse(bytes) else { throw malformed(field, bytes, expected) }
        return value
    }

    /// An integer; an empty field reads as 0.
    public mutating func int(_ field: String) throws(IBKRProtocolError) -> Int {
        try number(field, expected: "an integer", Self.parseInt) ?? 0
    }

    /// An integer that may be unset: an empty field or the sentinel 2147483647 (or Int64.max) reads as nil.
    public mutating func optionalInt(_ field: String) throws(IBKRProtocolError) -> Int? {
        try number(field, expected: "an integer", Self.parseInt).flatMap {
            $0 == Int(Int32.max) || $0 == Int.max ? nil : $0
        }
    }

    /// A boolean written as an integer (`0` false, anything else true); an empty field reads as false.
    public mutating func bool(_ field: String) throws(IBKRProtocolError) -> Bool {
        try int(field) != 0
    }

    /// A double (`185.5`, `1.7976931348623157E308`, `Infinity`); an empty field reads as 0.
    public mutating func double(_ field: String) throws(IBKRProtocolError) -> Double {
        try number(field, expected: "a number", Self.parseDouble) ?? 0
    }

    /// A double that may be unset: an empty field or the sentinel `1.7976931348623157E308` reads as nil.
    public mutating func optionalDouble(_ field: String) throws(IBKRProtocolError) -> Double? {
        try number(field, expected: "a number", Self.parseDouble).flatMap {
            $0 == Double.greatestFiniteMagnitude ? nil : $0
        }
    }

    /// A decimal quantity; an empty field or one of the unset sentinels reads as nil.
    public mutating func decimal(_ field: String) throws(IBKRProtocolError) -> IBKRDecimal? {
        // An unset sentinel parses as present-but-unset (`.some(nil)`); anything else that is no decimal fails.
        let parsed: IBKRDecimal?? = try number(field, expected: "a decimal") { bytes -> IBKRDecimal?? in
            let text = Self.text(bytes)
            return IBKRDecimal.unsetSpellings.contains(text) ? .some(nil) : IBKRDecimal(text).map { .some($0) }
        }
        return parsed ?? nil
    }

    /// A decimal quantity that must be set (an unset quantity reads as 0).
    public mutating func quantity(_ field: String) throws(IBKRProtocolError) -> IBKRDecimal {
        try decimal(field) ?? .zero
    }

    // MARK: - Byte-level parsing

    static func text(_ bytes: ArraySlice<UInt8>) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var result = ""
        result.unicodeScalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return result
    }

    static func parseInt(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        var negative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.endIndex else { return nil }
        var value = 0
        while index < bytes.endIndex {
            let digit = Int(bytes[index]) - 48
            guard digit >= 0 && digit <= 9 else { return nil }
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = negative ? shifted.subtractingReportingOverflow(digit)
                : shifted.addingReportingOverflow(digit)
            guard !overflowA && !overflowB else { return nil }
            value = sum
            index += 1
        }
        return value
    }

    static func parseDouble(_ bytes: ArraySlice<UInt8>) -> Double? {
        // Only digits, sign, dot, exponent and the word Infinity are numbers on this wire; refuse "nan", hex etc.
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "+"),
                 UInt8(ascii: "e"), UInt8(ascii: "E"): continue
            default:
                let text = text(bytes)
                if text == "Infinity" || text == "-Infinity" { return text.hasPrefix("-") ? -.infinity : .infinity }
                return nil
            }
        }
        return Double(text(bytes))
    }

    /// Replaces `\uXXXX` escapes with the characters they name; anything else is kept as it is.
    static func unescape(_ text: String) -> String {
        guard text.contains("\\u") else { return text }
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if scalars[index] == "\\", index + 5 < scalars.count, scalars[index + 1] == "u",
               let code = UInt32(String(String.UnicodeScalarView(scalars[(index + 2)..<(index + 6)])), radix: 16),
               let scalar = Unicode.Scalar(code) {
                result.append(scalar)
                index += 6
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return String(result)
    }
}
