/// Builds one framed client message: a 4-byte length placeholder, the fields each followed by NUL, then the length
/// patched in. Field spellings follow the official client at server version 200 (see docs/ibkr.md).
struct IBKRMessageWriter {
    /// The spelling of an unset double in fields the official client writes without the empty-field rule.
    static let unsetDoubleText = Double.greatestFiniteMagnitude.description
    /// The spelling of an unset integer in fields the official client writes without the empty-field rule.
    static let unsetIntegerText = "2147483647"

    private var bytes: [UInt8]
    private let request: String

    /// Starts a message with its id; `request` names it in errors.
    init(messageId: Int, request: String, capacity: Int = 64) {
        self.request = request
        bytes = [0, 0, 0, 0]
        bytes.reserveCapacity(capacity)
        add(messageId)
    }

    /// A text field. Only printable ASCII, TAB, CR and LF may be sent (TWS refuses anything else).
    mutating func add(_ text: String, field: String) throws(IBKRProtocolError) {
        for byte in text.utf8 {
            guard (0x20...0x7E).contains(byte) || byte == 0x09 || byte == 0x0A || byte == 0x0D else {
                throw .invalidRequest(request, field: field, "contains a character TWS refuses (only printable "
                                      + "ASCII may be sent): '\(text)'")
            }
        }
        bytes.append(contentsOf: text.utf8)
        bytes.append(0)
    }

    /// A text field known to be plain ASCII (literals of this library).
    mutating func addLiteral(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0)
    }

    /// An integer field.
    mutating func add(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
        bytes.append(0)
    }

    /// A boolean field, `1` or `0`.
    mutating func add(_ value: Bool) {
        bytes.append(value ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        bytes.append(0)
    }

    /// A double field in the shortest round-trip spelling (`150.25`, `150.0`).
    mutating func add(_ value: Double) {
        bytes.append(contentsOf: value.description.utf8)
        bytes.append(0)
    }

    /// A double as TWS (Java) writes it: `185.5`, `1.0`, `1.0E-5`, `1.7976931348623157E308` for unset.
    mutating func addJava(_ value: Double) {
        bytes.append(contentsOf: Self.javaText(value).utf8)
        bytes.append(0)
    }

    /// A double as TWS writes it, except that zero is written `0` (how some of its order fields spell it).
    mutating func addJavaOrZero(_ value: Double) {
        if value == 0 { addLiteral("0") } else { addJava(value) }
    }

    /// A double that may be unset, as TWS writes it: unset is `1.7976931348623157E308`.
    mutating func addJava(_ value: Double?) {
        addJava(value ?? Double.greatestFiniteMagnitude)
    }

    /// Text as TWS writes it: characters outside printable ASCII (TAB, CR and LF kept) escaped as `\uXXXX`.
    mutating func addEscaped(_ text: String) {
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (0x20...0x7E).contains(value) || value == 0x09 || value == 0x0A || value == 0x0D {
                bytes.append(UInt8(value))
            } else {
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    bytes.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
                }
            }
        }
        bytes.append(0)
    }

    /// Java's `Double.toString` spelling for the values TWS sends: a decimal with at least one fractional digit,
    /// or mantissa `E` exponent; infinities as `Infinity`.
    static func javaText(_ value: Double) -> String {
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        let text = value.description
        guard let exponentMark = text.firstIndex(of: "e") else {
            return text.contains(".") || text.contains("n") ? text : text + ".0"
        }
        var mantissa = String(text[..<exponentMark])
        if !mantissa.contains(".") { mantissa += ".0" }
        let exponent = Int(text[text.index(after: exponentMark)...]) ?? 0
        return mantissa + "E" + String(exponent)
    }

    /// A double that may be unset: unset is an empty field.
    mutating func addOrEmpty(_ value: Double?) {
        if let value { add(value) } else { addEmpty() }
    }

    /// An integer that may be unset: unset is an empty field.
    mutating func addOrEmpty(_ value: Int?) {
        if let value { add(value) } else { addEmpty() }
    }

    /// A decimal quantity, without exponent.
    mutating func add(_ value: IBKRDecimal) {
        bytes.append(contentsOf: value.description.utf8)
        bytes.append(0)
    }

    /// An empty field.
    mutating func addEmpty() {
        bytes.append(0)
    }

    /// `count` empty fields.
    mutating func addEmpty(_ count: Int) {
        bytes.append(contentsOf: repeatElement(0, count: count))
    }

    /// The framed message.
    consuming func finish() -> [UInt8] {
        let length = bytes.count - 4
        bytes[0] = UInt8(truncatingIfNeeded: length >> 24)
        bytes[1] = UInt8(truncatingIfNeeded: length >> 16)
        bytes[2] = UInt8(truncatingIfNeeded: length >> 8)
        bytes[3] = UInt8(truncatingIfNeeded: length)
        return bytes
    }
}
