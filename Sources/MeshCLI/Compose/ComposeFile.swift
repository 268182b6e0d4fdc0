import Foundation
import Yams

/// A user error in a compose file: always names the file and the key.
public struct ComposeError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One service of a compose file, as far as `MeshCtl up` needs it.
public struct ComposeService: Sendable, Equatable {
    public var name: String
    /// The command split into words; the first is the executable.
    public var command: [String]
    /// The service's own environment (compose `environment:`), in file order.
    public var environment: [(key: String, value: String)]
    public var dependsOn: [String]
    /// Compose `stop_grace_period`: how long a stop waits after SIGTERM before SIGKILL.
    public var stopGracePeriod: Duration?

    public init(name: String, command: [String], environment: [(key: String, value: String)] = [],
                dependsOn: [String] = [], stopGracePeriod: Duration? = nil) {
        self.name = name
        self.command = command
        self.environment = environment
        self.dependsOn = dependsOn
        self.stopGracePeriod = stopGracePeriod
    }

    public static func == (a: ComposeService, b: ComposeService) -> Bool {
        a.name == b.name && a.command == b.command && a.dependsOn == b.dependsOn
            && a.stopGracePeriod == b.stopGracePeriod
            && a.environment.map { "\($0.key)=\($0.value)" } == b.environment.map { "\($0.key)=\($0.value)" }
    }
}

/// A docker-compose file read for a local run: the `services` (command, environment, depends_on,
/// stop_grace_period), the top-level `name`, and the `x-trademesh` extension that docker compose ignores.
///
/// Every other compose key (image, build, volumes, ports…) belongs to Docker and is ignored here.
public struct ComposeFile: Sendable {
    /// Hints for a local run, from the `x-trademesh:` top-level key.
    public struct LocalHints: Sendable, Equatable {
        /// The project name (default: the compose `name:`, then the project directory's name).
        public var project: String?
        /// The local bus endpoints; `{run_dir}` is replaced by the run directory.
        public var frontend = "ipc://{run_dir}/bus-in.ipc"
        public var backend = "ipc://{run_dir}/bus-out.ipc"
        public init() {}
    }

    public var path: String
    public var name: String?
    /// In declaration order.
    public var services: [ComposeService]
    public var hints = LocalHints()

    /// Reads a compose file, substituting `${VAR:-default}` from `environment` as docker compose does.
    public static func load(path: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ComposeFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ComposeError("\(path): no such file")
        }
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: path, environment: environment)
    }

    public static func parse(yaml: String, file: String, environment: [String: String] = [:]) throws -> ComposeFile {
        let root: Node?
        let yaml = try ComposeInterpolation.apply(yaml, environment: environment, file: file)
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ComposeError("\(file): not valid YAML: \(error)")
        }
        guard let top = root?.mapping else {
            throw ComposeError("\(file): expected a mapping with a `services:` section")
        }
        var result = ComposeFile(path: file, name: nil, services: [])
        var sawServices = false
        for (k, v) in top {
            switch k.string {
            case "services":
                sawServices = true
                result.services = try services(v, file)
            case "name":
                result.name = try string(v, "name", file)
            case "x-trademesh":
                result.hints = try hints(v, file)
            default:
                continue   // version, volumes, networks, other x- keys: Docker's business
            }
        }
        guard sawServices, !result.services.isEmpty else {
            throw ComposeError("\(file): services: missing or empty (a compose file needs at least one service)")
        }
        try result.checkDependencies()
        return result
    }

    /// The order to start services in: every service after the ones it depends on, otherwise in file order.
    public func startOrder() throws -> [ComposeService] {
        var remaining = services
        var started: Set<String> = []
        var order: [ComposeService] = []
        while !remaining.isEmpty {
            guard let index = remaining.firstIndex(where: { $0.dependsOn.allSatisfy(started.contains) }) else {
                let names = remaining.map(\.name).joined(separator: ", ")
                throw ComposeError("\(path): services: depends_on forms a cycle among \(names)")
            }
            let next = remaining.remove(at: index)
            started.insert(next.name)
            order.append(next)
        }
        return order
    }

    /// The order to stop services in: the reverse of the start order.
    public func stopOrder() throws -> [ComposeService] { try startOrder().reversed() }

    private func checkDependencies() throws {
        let names = Set(services.map(\.name))
        for s in services {
            for d in s.dependsOn where !names.contains(d) {
                throw ComposeError("\(path): services.\(s.name).depends_on: unknown service '\(d)' "
                                   + "(known: \(services.map(\.name).joined(separator: ", ")))")
            }
            if s.dependsOn.contains(s.name) {
                throw ComposeError("\(path): services.\(s.name).depends_on: a service cannot depend on itself")
            }
        }
        _ = try startOrder()
    }

    // MARK: - Parsing pieces

    private static func services(_ node: Node, _ file: String) throws -> [ComposeService] {
        guard let map = node.mapping else {
            throw ComposeError("\(file): services: expected a mapping of service names to services")
        }
        return try map.map { k, v in
            guard let name = k.string, !name.isEmpty else {
                throw ComposeError("\(file): services: service names must be strings")
            }
            return try service(name: name, v, file)
        }
    }

    private static func service(name: String, _ node: Node, _ file: String) throws -> ComposeService {
        let key = "services.\(name)"
        guard let map = node.mapping else { throw ComposeError("\(file): \(key): expected a mapping") }
        var command: [String]?
        var s = ComposeService(name: name, command: [])
        for (k, v) in map {
            switch k.string {
            case "command":
                command = try commandWords(v, "\(key).command", file)
            case "environment":
                s.environment = try environment(v, "\(key).environment", file)
            case "depends_on":
                s.dependsOn = try dependsOn(v, "\(key).depends_on", file)
            case "stop_grace_period":
                let text = try string(v, "\(key).stop_grace_period", file)
                guard let d = parseDuration(text) else {
                    throw ComposeError("\(file): \(key).stop_grace_period: expected a duration such as 10s, "
                                       + "1m30s or 500ms, got '\(text)'")
                }
                s.stopGracePeriod = d
            default:
                continue
            }
        }
        guard let command else {
            throw ComposeError("\(file): \(key).command: missing (MeshCtl up runs each service's command)")
        }
        guard !command.isEmpty else { throw ComposeError("\(file): \(key).command: is empty") }
        s.command = command
        return s
    }

    private static func commandWords(_ node: Node, _ key: String, _ file: String) throws -> [String] {
        if let seq = node.sequence {
            return try seq.map { item in
                guard case .scalar(let scalar) = item else {
                    throw ComposeError("\(file): \(key): expected a string or a list of strings")
                }
                return scalar.string
            }
        }
        guard case .scalar(let scalar) = node else {
            throw ComposeError("\(file): \(key): expected a string or a list of strings")
        }
        do {
            return try ShellWords.split(scalar.string)
        } catch {
            throw ComposeError("\(file): \(key): \(error)")
        }
    }

    private static func environment(_ node: Node, _ key: String, _ file: String)
        throws -> [(key: String, value: String)]
    {
        if let map = node.mapping {
            return try map.map { k, v in
                guard let name = k.string, !name.isEmpty else {
                    throw ComposeError("\(file): \(key): variable names must be strings")
                }
                guard case .scalar(let scalar) = v else {
                    throw ComposeError("\(file): \(key).\(name): expected a string, number or boolean")
                }
                return (name, scalar.string)
            }
        }
        if let seq = node.sequence {
            return try seq.map { item in
                guard let text = item.string, let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                    throw ComposeError("\(file): \(key): expected NAME=VALUE entries")
                }
                return (String(text[..<eq]), String(text[text.index(after: eq)...]))
            }
        }
        throw ComposeError("\(file): \(key): expected a mapping or a list of NAME=VALUE")
    }

    private static func dependsOn(_ node: Node, _ key: String, _ file: String) throws -> [String] {
        if let seq = node.sequence {
            return try seq.map { item in
                guard let s = item.string, !s.isEmpty else {
                    throw ComposeError("\(file): \(key): expected service names")
                }
                return s
            }
        }
        if let map = node.mapping {   // long form: `db: {condition: service_started}`
            return try map.map { k, _ in
                guard let s = k.string, !s.isEmpty else {
                    throw ComposeError("\(file): \(key): expected service names")
                }
                return s
            }
        }
        throw ComposeError("\(file): \(key): expected a list of service names")
    }

    private static func hints(_ node: Node, _ file: String) throws -> LocalHints {
        guard let map = node.mapping else { throw ComposeError("\(file): x-trademesh: expected a mapping") }
        var h = LocalHints()
        for (k, v) in map {
            switch k.string {
            case "project":
                h.project = try string(v, "x-trademesh.project", file)
            case "frontend":
                h.frontend = try endpoint(v, "x-trademesh.frontend", file)
            case "backend":
                h.backend = try endpoint(v, "x-trademesh.backend", file)
            default:
                throw ComposeError("\(file): x-trademesh.\(k.string ?? "?"): unknown key "
                                   + "(known: project, frontend, backend)")
            }
        }
        return h
    }

    private static func endpoint(_ node: Node, _ key: String, _ file: String) throws -> String {
        let s = try string(node, key, file)
        guard s.hasPrefix("ipc://") || s.hasPrefix("tcp://") else {
            throw ComposeError("\(file): \(key): expected an ipc:// or tcp:// endpoint, got '\(s)'")
        }
        return s
    }

    private static func string(_ node: Node, _ key: String, _ file: String) throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw ComposeError("\(file): \(key): expected a string")
        }
        return scalar.string
    }

    /// Compose durations: `10s`, `1m30s`, `500ms`, `1h`, `1.5s`.
    public static func parseDuration(_ text: String) -> Duration? {
        var total = 0.0
        var number = ""
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        while let c = rest.first {
            if c.isNumber || c == "." {
                number.append(c)
                rest = rest.dropFirst()
                continue
            }
            guard let value = Double(number) else { return nil }
            let unit: (String, Double)? = [("ms", 0.001), ("us", 0.000_001), ("h", 3600), ("m", 60), ("s", 1)]
                .first { rest.hasPrefix($0.0) }
            guard let unit else { return nil }
            total += value * unit.1
            rest = rest.dropFirst(unit.0.count)
            number = ""
        }
        guard number.isEmpty else { return nil }
        return .milliseconds(Int((total * 1000).rounded()))
    }
}

/// Splits a command line into words the way a POSIX shell does for plain words and quotes
/// (no expansion): `a "b c" 'd'` → `a`, `b c`, `d`.
public enum ShellWords {
    public static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in line {
            if escaped {
                word.append(c)
                escaped = false
                continue
            }
            if let q = quote {
                if c == q {
                    quote = nil
                } else if c == "\\" && q == "\"" {
                    escaped = true
                } else {
                    word.append(c)
                }
                continue
            }
            switch c {
            case "\"", "'":
                quote = c
                inWord = true
            case "\\":
                escaped = true
                inWord = true
            case " ", "\t", "\n":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(c)
                inWord = true
            }
        }
        if let quote { throw ComposeError("unterminated \(quote) quote in '\(line)'") }
        if inWord { words.append(word) }
        return words
    }
}
