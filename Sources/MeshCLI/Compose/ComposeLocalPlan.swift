import Foundation

/// Where a compose project runs locally: its project directory (the working directory of every service), its run
/// directory (bus sockets, logs, state file) and the local bus endpoints that replace the compose file's.
public struct ComposeLocalLayout: Sendable, Equatable {
    public var composePath: String
    public var project: String
    public var projectDirectory: String
    public var runDirectory: String
    public var frontend: String
    public var backend: String

    public var stateFile: String { runDirectory + "/state.json" }
    public var logDirectory: String { runDirectory + "/logs" }

    /// - Parameters:
    ///   - projectDirectory: default: the compose file's directory's parent (`compose/compose.yaml` → `.`).
    ///   - runDirectory: default: `/tmp/trademesh/<project>`.
    public init(compose: ComposeFile, projectDirectory: String? = nil, runDirectory: String? = nil) {
        let composeURL = URL(fileURLWithPath: compose.path).standardizedFileURL
        composePath = composeURL.path
        self.projectDirectory = projectDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? composeURL.deletingLastPathComponent().deletingLastPathComponent().path
        let rawProject = compose.hints.project ?? compose.name
            ?? URL(fileURLWithPath: self.projectDirectory).lastPathComponent
        project = Self.sanitized(rawProject)
        self.runDirectory = runDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            ?? "/tmp/trademesh/\(project)"
        frontend = compose.hints.frontend.replacingOccurrences(of: "{run_dir}", with: self.runDirectory)
        backend = compose.hints.backend.replacingOccurrences(of: "{run_dir}", with: self.runDirectory)
    }

    /// Lowercase letters, digits, `-` and `_` (like compose project names); anything else becomes `-`.
    static func sanitized(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        let s = String(name.lowercased().map { allowed.contains($0) ? $0 : "-" })
        return s.isEmpty ? "trademesh" : s
    }
}

/// One service ready to launch as a local process.
public struct ComposeLaunch: Sendable, Equatable {
    public var name: String
    public var executable: String
    public var arguments: [String]
    /// The complete environment of the process.
    public var environment: [String: String]
    public var stopGracePeriod: Duration?
}

/// A compose file turned into local processes: executables from a bin directory, the compose environment on top of
/// the inherited one, and the bus endpoints rewritten to the layout's local ones.
public struct ComposeLocalPlan: Sendable {
    public var layout: ComposeLocalLayout
    /// In start order.
    public var launches: [ComposeLaunch]

    public init(compose: ComposeFile, layout: ComposeLocalLayout, binDirectory: String,
                inheritedEnvironment: [String: String]) throws {
        self.layout = layout
        launches = try compose.startOrder().map { service in
            let name = service.command[0]
            let executable: String
            if name.contains("/") {
                executable = name.hasPrefix("/") ? name : layout.projectDirectory + "/" + name
            } else {
                executable = URL(fileURLWithPath: binDirectory).appendingPathComponent(name).path
            }
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw ComposeError("\(compose.path): services.\(service.name).command: executable '\(name)' not "
                                   + "found (looked for \(executable); build it with `swift build` or pass --bin DIR)")
            }
            var env = inheritedEnvironment
            for (k, v) in service.environment { env[k] = v }
            env["TRADEMESH_BUS_FRONTEND"] = layout.frontend
            env["TRADEMESH_BUS_BACKEND"] = layout.backend
            return ComposeLaunch(name: service.name, executable: executable,
                                 arguments: Array(service.command.dropFirst()), environment: env,
                                 stopGracePeriod: service.stopGracePeriod)
        }
    }
}

/// What `MeshCtl up` leaves in the run directory while a mesh runs, for `MeshCtl down` and `MeshCtl status`.
public struct ComposeState: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        public var pid: Int32
        public var executable: String
        public var log: String?
        public var stopGraceSeconds: Double?

        public init(name: String, pid: Int32, executable: String, log: String?, stopGraceSeconds: Double?) {
            self.name = name
            self.pid = pid
            self.executable = executable
            self.log = log
            self.stopGraceSeconds = stopGraceSeconds
        }
    }

    public var project: String
    public var composeFile: String
    public var projectDirectory: String
    public var frontend: String
    public var backend: String
    public var detached: Bool
    /// The `MeshCtl up` process that supervises the services (it has exited when detached), and its executable.
    public var supervisorPid: Int32
    public var supervisorExecutable: String
    /// In start order.
    public var services: [Entry]

    public init(layout: ComposeLocalLayout, detached: Bool, supervisorPid: Int32, supervisorExecutable: String,
                services: [Entry]) {
        project = layout.project
        composeFile = layout.composePath
        projectDirectory = layout.projectDirectory
        frontend = layout.frontend
        backend = layout.backend
        self.detached = detached
        self.supervisorPid = supervisorPid
        self.supervisorExecutable = supervisorExecutable
        self.services = services
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(from path: String) throws -> ComposeState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(ComposeState.self, from: data)
        } catch {
            throw ComposeError("\(path): not a MeshCtl up state file (\(error)); remove it if no mesh is running")
        }
    }
}
