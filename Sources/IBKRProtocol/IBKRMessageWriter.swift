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
