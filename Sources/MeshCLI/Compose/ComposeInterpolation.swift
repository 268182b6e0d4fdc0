/// Variable substitution in a compose file, as docker compose does it, so one file serves both: `${NAME}`,
/// `${NAME:-default}` (default when unset or empty), `${NAME-default}` (default when unset), `$NAME`, and `$$`
/// for a literal `$`.
enum ComposeInterpolation {
    static func apply(_ text: String, environment: [String: String], file: String) throws -> String {
        var out = ""
        var i = text.startIndex
        var line = 1
        func isNameStart(_ c: Character) -> Bool { c == "_" || c.isLetter }
        func isName(_ c: Character) -> Bool { c == "_" || c.isLetter || c.isNumber }
        while i < text.endIndex {
            let c = text[i]
            if c == "\n" { line += 1 }
            guard c == "$" else {
                out.append(c)
                i = text.index(after: i)
                continue
            }
            let next = text.index(after: i)
            if next < text.endIndex && text[next] == "$" {
                out.append("$")
                i = text.index(after: next)
            } else if next < text.endIndex && text[next] == "{" {
                guard let close = text[next...].firstIndex(of: "}") else {
                    throw ComposeError("\(file):\(line): unterminated ${ (write $$ for a literal $)")
                }
                let body = String(text[text.index(after: next)..<close])
                out += try substitute(body, environment: environment, file: file, line: line)
                i = text.index(after: close)
            } else if next < text.endIndex && isNameStart(text[next]) {
                var end = next
                while end < text.endIndex && isName(text[end]) { end = text.index(after: end) }
                out += environment[String(text[next..<end])] ?? ""
                i = end
            } else {
                out.append("$")
                i = next
            }
        }
        return out
    }

    private static func substitute(_ body: String, environment: [String: String], file: String, line: Int)
        throws -> String
    {
        if let range = body.range(of: ":-") {
            let name = String(body[..<range.lowerBound])
            try check(name, file: file, line: line)
            let value = environment[name] ?? ""
            return value.isEmpty ? String(body[range.upperBound...]) : value
        }
        if let dash = body.firstIndex(of: "-") {
            let name = String(body[..<dash])
            try check(name, file: file, line: line)
            return environment[name] ?? String(body[body.index(after: dash)...])
        }
        try check(body, file: file, line: line)
        return environment[body] ?? ""
    }

    private static func check(_ name: String, file: String, line: Int) throws {
        guard let first = name.first, first == "_" || first.isLetter,
              name.allSatisfy({ $0 == "_" || $0.isLetter || $0.isNumber }) else {
            throw ComposeError("\(file):\(line): ${\(name)}: not a variable name")
        }
    }
}
