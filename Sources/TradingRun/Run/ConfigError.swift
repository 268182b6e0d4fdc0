import TradingCore
/// A problem with a backtest configuration, naming the key path.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    private enum Code { case unknownKey, wrongType, missing, invalidValue, unreadable }
    private let code: Code
    /// The dotted key path the problem is about (empty for the whole document).
    public let key: String
    public let description: String

    private init(_ code: Code, key: String, _ message: String) {
        self.code = code
        self.key = key
        self.description = message
    }

    static func unknownKey(_ key: String, known: [String]) -> ConfigError {
        let leaf = key.split(separator: ".").last.map(String.init) ?? key
        let hint = known.min { editDistance($0, leaf) < editDistance($1, leaf) }
            .flatMap { editDistance($0, leaf) <= 3 ? " (did you mean \($0)?)" : nil } ?? ""
        return ConfigError(.unknownKey, key: key,
                           "\(key): unknown key\(hint); known keys here: \(known.joined(separator: ", "))")
    }

    static func wrongType(_ key: String, expected: String, got: String) -> ConfigError {
        ConfigError(.wrongType, key: key, "\(key): expected \(expected), got '\(got)'")
    }

    static func missing(_ key: String) -> ConfigError {
        ConfigError(.missing, key: key, "\(key): required key is missing")
    }

    static func invalid(_ key: String, _ why: String) -> ConfigError {
        ConfigError(.invalidValue, key: key, "\(key): \(why)")
    }

    /// The same problem with its message prefixed by the file it is in, e.g. `config/backtest.yaml: strategy.stop_loss: …`.
    func inFile(_ file: String) -> ConfigError {
        ConfigError(code, key: key, "\(file): \(description)")
    }

    /// A number outside the range its key allows.
    static func outOfRange(_ key: String, _ value: Double, expected: String) -> ConfigError {
        ConfigError(.invalidValue, key: key, "\(key): must be \(expected), got \(value)")
    }

    static func unreadable(_ file: String, _ why: String) -> ConfigError {
        ConfigError(.unreadable, key: "", "\(file): \(why)")
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
