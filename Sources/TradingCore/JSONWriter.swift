/// A small writer for JSON with a fixed key order and deterministic number formatting.
///
/// Doubles are written in Swift's shortest round-trip form; non-finite values become `null`.
public struct JSONWriter {
    public private(set) var text = ""
    private var needsComma = [false]
    private var indent = 0
    private let pretty: Bool

    public init(pretty: Bool = true) {
        self.pretty = pretty
    }

    public mutating func object(_ body: (inout JSONWriter) -> Void) {
        open("{")
        body(&self)
        close("}")
    }

    public mutating func objectField(_ name: String, _ body: (inout JSONWriter) -> Void) {
        key(name)
        object(body)
    }

    public mutating func arrayField(_ name: String, _ body: (inout JSONWriter) -> Void) {
        key(name)
        open("[")
        body(&self)
        close("]")
    }

    public mutating func element(_ body: (inout JSONWriter) -> Void) {
        separator()
        object(body)
    }

    public mutating func field(_ key: String, _ value: String?) {
        self.key(key)
        text += value.map(Self.quote) ?? "null"
    }

    public mutating func field(_ key: String, _ value: Double?) {
        self.key(key)
        text += value.map(Self.number) ?? "null"
    }

    public mutating func field(_ key: String, _ value: Int?) {
        self.key(key)
        text += value.map(String.init) ?? "null"
    }

    public mutating func field(_ key: String, _ value: Bool) {
        self.key(key)
        text += value ? "true" : "false"
    }

    /// A field whose value is already valid JSON text.
    public mutating func rawField(_ key: String, _ json: String) {
        self.key(key)
        text += json
    }

    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) + ".0" }
        return v.description
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    private mutating func separator() {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
        newline()
    }

    private mutating func key(_ k: String) {
        separator()
        text += Self.quote(k) + (pretty ? ": " : ":")
    }

    private mutating func open(_ bracket: String) {
        text += bracket
        needsComma.append(false)
        indent += 1
    }

    private mutating func close(_ bracket: String) {
        let hadContent = needsComma.removeLast()
        indent -= 1
        if hadContent { newline() }
        text += bracket
    }

    private mutating func newline() {
        if pretty { text += "\n" + String(repeating: "  ", count: indent) }
    }
}
