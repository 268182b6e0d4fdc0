import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs a backtest through the mesh: starts the forwarder and the four services as separate processes on a
/// private ipc bus, replays the config's bars, and waits for `ExecSvc` to write the results.
///
/// The services are started consumers first (ExecSvc, StrategySvc, PredictSvc), then `DataSvc replay`, which
/// waits until they are ready. Every service runs with the fatal gap policy. If any process ends with an error
/// or a signal before the results are written, the rest are stopped and the replay fails naming it; the output
/// directory then holds no results.
public struct ReplayMesh: Sendable {
    public var configPath: String
    public var overrides: [String]
    public var outDirectory: String
    /// Credit window of the replay (1 = lockstep).
    public var window: Int
    public var binDirectory: String
    /// "ipc" or "tcp" (loopback).
    public var transport: String = "ipc"
    public var logLevel: String = "warning"
    /// Where the ipc sockets, the services' logs and `pids` go; nil = a temporary directory removed afterwards.
    public var runDirectory: String?
    /// Run the services under Linux's batch scheduling policy (`SCHED_BATCH`): a replay is a throughput job, and
    /// with it a message that wakes the next stage no longer preempts the thread that sent it, so each thread
    /// finishes its turn before the switch (about a third fewer context switches on two cores). Live meshes
    /// (`MeshCtl up`) keep the default policy.
    public var batchScheduling = true

    public init(configPath: String, overrides: [String], outDirectory: String, window: Int, binDirectory: String) {
        self.configPath = configPath
        self.overrides = overrides
        self.outDirectory = outDirectory
        self.window = window
        self.binDirectory = binDirectory
    }

    /// What the replay did.
    public struct Report: Sendable {
        /// From the first process started to the last one done (loading, handshake, streaming, results).
        public var seconds: Double
        /// From the first bar published to the last bar acknowledged, as `DataSvc` measured it.
        public var streamingSeconds: Double?
        public var services: [String]
        /// CPU seconds (user, system) each process used, sampled until it exited (to within 50 ms).
        public var cpu: [(service: String, user: Double, system: Double)]
    }

    /// The services of a replay, by the names they publish under.
    static let services = ["DataSvc", "PredictSvc", "StrategySvc", "ExecSvc"]

    /// The service processes, in start order.
    func plan(frontend: String, backend: String, streamingStats: String, endpointsFile: String? = nil)
        -> [(name: String, executable: String, arguments: [String])]
    {
        let config = ["--config", configPath] + overrides.flatMap { ["--set", $0] }
        let common = ["--gaps", "fatal", "--log-level", logLevel]
        return [
            ("bus", "MeshCtl", ["proxy", "--frontend", frontend, "--backend", backend, "--log-level", logLevel]
                + (endpointsFile.map { ["--endpoints-file", $0] } ?? [])),
            ("ExecSvc", "ExecSvc", config + common + ["--out", outDirectory]),
            ("StrategySvc", "StrategySvc", config + common),
            ("PredictSvc", "PredictSvc", ["serve"] + config + common),
            ("DataSvc", "DataSvc", ["replay"] + config + common
                + ["--window", String(window), "--streaming-stats", streamingStats]),
        ]
    }

    public func run() throws -> Report {
        let runDirectory: String
        if let given = self.runDirectory {
            try FileManager.default.createDirectory(atPath: given, withIntermediateDirectories: true)
            runDirectory = given
        } else {
            var template = Array("/tmp/trademesh-replay-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else {
                throw ValidationErrorText("cannot create a run directory in /tmp")
            }
            runDirectory = String(cString: made)
        }
        defer { if self.runDirectory == nil { try? FileManager.default.removeItem(atPath: runDirectory) } }
        let frontend: String, backend: String
        // Direct mode (ipc): each service publishes on its own endpoint and subscribes at the others', so the
        // replay's traffic does not pass through the forwarder (which stays up for outside publishers, e.g. a
        // test's). Over tcp the forwarder binds free ports the system picks and reports them; the services, which
        // cannot know each other's ports in advance, then talk through it.
        let peers: [(name: String, endpoint: String)]
        let endpointsFile = runDirectory + "/bus.endpoints"
        if transport == "tcp" {
            (frontend, backend) = ("tcp://127.0.0.1:*", "tcp://127.0.0.1:*")
            peers = []
        } else {
            (frontend, backend) = ("ipc://\(runDirectory)/in.ipc", "ipc://\(runDirectory)/out.ipc")
            peers = Self.services.map { ($0, "ipc://\(runDirectory)/\($0).ipc") }
        }
        var environment = ProcessInfo.processInfo.environment
        environment["TRADEMESH_BUS_FRONTEND"] = frontend
        environment["TRADEMESH_BUS_BACKEND"] = backend
        environment["TRADEMESH_BUS_PEERS"] = peers.map { "\($0.name)=\($0.endpoint)" }.joined(separator: ",")
        environment["TRADEMESH_HEARTBEAT_MS"] = environment["TRADEMESH_HEARTBEAT_MS"] ?? "250"
        let group = LocalProcessGroup()
        let started = Date()
        // Children inherit the policy of the thread that starts them; this thread returns to its own afterwards.
        let policy = batchScheduling ? SchedulingPolicy.switchCurrentThread(to: .batch) : nil
        defer { if let policy { _ = SchedulingPolicy.switchCurrentThread(to: policy) } }
        do {
            for step in plan(frontend: frontend, backend: backend, streamingStats: runDirectory + "/streaming.txt",
                             endpointsFile: transport == "tcp" ? endpointsFile : nil) {
                let p = try LocalProcess(name: step.name, executable: binDirectory + "/" + step.executable,
                                         arguments: step.arguments, environment: environment,
                                         logDirectory: runDirectory)
                try p.start()
                group.append(p)
                if step.name == "bus" && transport == "tcp" {
                    let bound = try Self.awaitEndpoints(endpointsFile, of: p)
                    environment["TRADEMESH_BUS_FRONTEND"] = bound.frontend
                    environment["TRADEMESH_BUS_BACKEND"] = bound.backend
                }
            }
        } catch {
            group.stopAll()
            throw error
        }
        let processes = group.members
        let pids = processes.map { "\($0.name) \($0.pid)\n" }.joined()
        guard FileManager.default.createFile(atPath: runDirectory + "/pids", contents: Data(pids.utf8)) else {
            group.stopAll()
            throw ValidationErrorText("\(runDirectory)/pids: cannot be written (\(String(cString: strerror(errno))))")
        }
        let stop = SignalStop { group.stopAll(); Glibc.exit(143) }
        defer { withExtendedLifetime(stop) {} }
        // Success: the four services exit 0 (ExecSvc only after writing the results).
        let finishers = Set(["DataSvc", "ExecSvc", "StrategySvc", "PredictSvc"])
        var cpu = [String: (user: Double, system: Double)]()
        var turns = 0
        while true {
            if turns % 10 == 0 {
                for p in processes { if let c = p.cpuSeconds() { cpu[p.name] = c } }
            }
            turns += 1
            if let failed = processes.first(where: { $0.exit.map { !$0.success } ?? false }) {
                let how = failed.exit?.description ?? "ended"
                group.stopAll()
                var message = "replay failed: \(failed.name) \(how) before the results were written; "
                    + "no results in \(outDirectory)"
                let tails = processes.filter { !$0.logTail().isEmpty && $0.name != "bus" }.map { $0.logTail() }
                if !tails.isEmpty { message += "\n" + tails.joined(separator: "\n") }
                throw ValidationErrorText(message)
            }
            if processes.filter({ finishers.contains($0.name) }).allSatisfy({ $0.exit?.success == true }) { break }
            usleep(5_000)
        }
        let seconds = Date().timeIntervalSince(started)
        group.stopAll()
        for p in processes { if let c = p.cpuSeconds() { cpu[p.name] = c } }
        let streaming = (try? String(contentsOfFile: runDirectory + "/streaming.txt", encoding: .utf8))
            .flatMap { $0.split(separator: " ").last.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
        return Report(seconds: seconds, streamingSeconds: streaming, services: processes.map(\.name),
                      cpu: processes.map { ($0.name, cpu[$0.name]?.user ?? 0, cpu[$0.name]?.system ?? 0) })
    }
}

extension ReplayMesh {
    /// Waits until the forwarder `bus` has written the endpoints it bound to `file`; fails if it exits first or
    /// takes longer than `seconds`.
    static func awaitEndpoints(_ file: String, of bus: LocalProcess, seconds: Double = 30) throws
        -> (frontend: String, backend: String)
    {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                let lines = text.split(separator: "\n").map(String.init)
                if lines.count == 2 { return (lines[0], lines[1]) }
                throw ValidationErrorText("\(file): expected the forwarder's two endpoints, got '\(text)'")
            }
            if let exit = bus.exit {
                throw ValidationErrorText("replay failed: the bus forwarder \(exit.description) before listening\n"
                                          + bus.logTail())
            }
            if Date() > deadline {
                throw ValidationErrorText("replay failed: the bus forwarder did not report its endpoints in "
                                          + "\(Int(seconds)) s\n" + bus.logTail())
            }
            usleep(2_000)
        }
    }
}

/// Child processes started together and stopped in reverse order.
final class LocalProcessGroup: Sendable {
    private let processes = Mutex<[LocalProcess]>([])

    func append(_ p: LocalProcess) { processes.withLock { $0.append(p) } }

    var members: [LocalProcess] { processes.withLock { $0 } }

    func stopAll() {
        for p in members.reversed() { p.stop() }
    }
}
