import ArgumentParser
import Foundation
import MeshKit

/// Which compose project a command acts on: the compose file, the project directory and the run directory.
public struct ComposeOptions: ParsableArguments {
    @Argument(help: "The compose file (default: compose/compose.yaml).")
    public var compose: String?

    @Option(name: .customLong("project-dir"),
            help: "Working directory of the services (default: the compose file's directory's parent).")
    public var projectDirectory: String?

    @Option(name: .customLong("run-dir"),
            help: "Bus sockets, logs and state of the local run (default: /tmp/trademesh/<project>).")
    public var runDirectory: String?

    public init() {}

    static let defaultPath = "compose/compose.yaml"

    /// Reads the compose file (the given one, else `compose/compose.yaml`) and lays out its local run.
    func load() throws -> (ComposeFile, ComposeLocalLayout) {
        let file = try ComposeFile.load(path: compose ?? Self.defaultPath)
        return (file, ComposeLocalLayout(compose: file, projectDirectory: projectDirectory, runDirectory: runDirectory))
    }

    /// The state file of a running project, or nil when none is recorded.
    func runningState(_ layout: ComposeLocalLayout) throws -> ComposeState? {
        try ComposeState.read(from: layout.stateFile)
    }
}

/// How long a service gets to stop (`MeshCtl up` and `MeshCtl down`).
public struct ComposeStopOptions: ParsableArguments {
    @Option(help: "Seconds a service gets to stop after SIGTERM before SIGKILL (unless its stop_grace_period says).")
    public var timeout: Double = 10

    public init() {}

    func grace() throws -> Duration {
        guard timeout >= 0 else { throw ValidationError("--timeout must not be negative") }
        return .milliseconds(Int(timeout * 1000))
    }
}

/// Messages of the compose commands themselves, on standard error.
enum ComposeReport {
    static func say(_ command: String, _ text: String) {
        FileHandle.standardError.write(Data("\(command): \(text)\n".utf8))
    }

    /// The running executable.
    static func ownExecutable() -> String {
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return exe }
        let url = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return url.resolvingSymlinksInPath().path
    }

    /// The directory of the running executable: where the mesh's executables are built.
    static func ownDirectory() -> String { (ownExecutable() as NSString).deletingLastPathComponent }

    /// Whether any process recorded in `state` (the supervisor or a service) still runs.
    static func anyRunning(_ state: ComposeState) -> Bool {
        (!state.detached
            && ComposeStopper.isRunning(pid: state.supervisorPid, executable: state.supervisorExecutable))
            || state.services.contains { ComposeStopper.isRunning(pid: $0.pid, executable: $0.executable) }
    }
}
