import Foundation
import Testing
import TestSupport
@testable import MeshCLI
@testable import MeshKit

#if canImport(Glibc)
import Glibc
#endif

/// `MeshCtl up`, `status` and `down` with real processes, on small compose files in temporary project directories.
@Suite(.timeLimit(.minutes(2))) struct ComposeProcessTests {
    /// A temporary project: `compose/compose.yaml`, optionally `config/risk.yaml`, and its own run directory.
    struct Project {
        let root: URL
        let runDirectory: String
        var compose: String { root.appendingPathComponent("compose/compose.yaml").path }
        var stateFile: String { runDirectory + "/state.json" }

        init(compose yaml: String, withRiskConfig: Bool = true) throws {
            let id = UUID().uuidString.prefix(8)
            root = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(id)")
            runDirectory = "/tmp/trademesh-test/up-\(id)"
            try FileManager.default.createDirectory(at: root.appendingPathComponent("compose"),
                                                    withIntermediateDirectories: true)
            try yaml.write(toFile: compose, atomically: true, encoding: .utf8)
            if withRiskConfig {   // ExecSvc reads config/risk.yaml from its working directory, the project root
                try FileManager.default.createDirectory(at: root.appendingPathComponent("config"),
                                                        withIntermediateDirectories: true)
                try FileManager.default.copyItem(
                    at: TestSupport.packageRoot.appendingPathComponent("config/risk.yaml"),
                    to: root.appendingPathComponent("config/risk.yaml"))
            }
        }

        func remove() {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(atPath: runDirectory)
        }

        /// Runs `MeshCtl ARGS COMPOSE --run-dir D …` with stdout and stderr in files (a detached service must not
        /// hold a pipe of the test open).
        func meshCtl(_ arguments: [String], extra: [String] = []) throws -> Run {
            try Run(["MeshCtl"] + arguments + [compose, "--run-dir", runDirectory] + extra, directory: root)
        }
    }

    /// A launched process whose output goes to files.
    final class Run: @unchecked Sendable {
        let process = Process()
        let out: URL
        let err: URL

        init(_ command: [String], directory: URL) throws {
            let id = UUID().uuidString.prefix(8)
            out = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(id).out")
            err = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(id).err")
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: TestSupport.executable(command[0]))
            process.arguments = Array(command.dropFirst())
            process.currentDirectoryURL = directory
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
        }

        var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }

        func finish(seconds: Double) async -> Int32? {
            guard await TestSupport.waitForExit(process, seconds: seconds) else {
                process.interrupt()
                return nil
            }
            return process.terminationStatus
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
    }

    static let mesh = """
        services:
          bus:
            command: MeshCtl proxy
          exec:
            command: ExecSvc
            environment: {TRADEMESH_HEARTBEAT_MS: 100}
            depends_on: [bus]
          strategy:
            command: [StrategySvc]
            environment: [TRADEMESH_HEARTBEAT_MS=100]
            depends_on: [exec]
          predict:
            command: PredictSvc serve
            environment: {TRADEMESH_HEARTBEAT_MS: 100}
            depends_on: [strategy]
        """

    /// Runs `MeshCtl status` until every service has a heartbeat (the services may still be starting).
    static func statusUntilAllHeartbeat(_ project: Project) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        var last = ""
        while ContinuousClock.now < deadline {
            let status = try project.meshCtl(["status"], extra: [
                "--duration", "0.6", "--require", "ExecSvc", "StrategySvc", "PredictSvc",
            ])
            if await status.finish(seconds: 20) == 0 { return status.stdout }
            last = status.stdout + status.stderr
        }
        Issue.record("no heartbeat from every service: \(last)")
        return last
    }

    /// The positions of `needles` in `text`, for order checks.
    static func positions(_ needles: [String], in text: String) -> [Int] {
        needles.map { needle in
            text.range(of: needle).map { text.distance(from: text.startIndex, to: $0.lowerBound) } ?? -1
        }
    }

    @Test func upPrefixesOutputShowsHeartbeatsAndStopsInReverseOrderOnSIGTERM() async throws {
        let project = try Project(compose: Self.mesh)
        defer { project.remove() }
        let up = try project.meshCtl(["up"], extra: ["--bin", TestSupport.binDirectory.path])

        let table = try await Self.statusUntilAllHeartbeat(project)
        for service in ["ExecSvc", "StrategySvc", "PredictSvc"] {
            let row = table.split(separator: "\n").first { $0.hasPrefix(service + " ") }
            #expect(row?.contains("s ago") == true, "\(table)")
        }
        #expect(table.contains("SERVICE"))
        #expect(table.contains("LAST SEQ"))
        #expect(FileManager.default.fileExists(atPath: project.stateFile))

        up.process.terminate()   // SIGTERM
        #expect(await up.finish(seconds: 30) == 0)
        #expect(up.process.terminationReason == .exit)
        let out = up.stdout
        let err = up.stderr
        // Every line of a service is prefixed with its name, padded to the longest name.
        #expect(out.contains("bus      | "), "\(out)")
        #expect(out.contains(#"exec     | "#) && out.contains("service=ExecSvc"), "\(out)")
        #expect(out.contains("strategy | ") && out.contains("predict  | "), "\(out)")
        for line in out.split(separator: "\n") {
            #expect(["bus      | ", "exec     | ", "strategy | ", "predict  | "].contains { line.hasPrefix($0) },
                    "unprefixed line: \(line)")
        }
        #expect(!out.contains("\u{1B}["), "no colour when stdout is not a terminal")
        // Started in depends_on order, stopped in reverse.
        let starts = Self.positions(["starting bus", "starting exec", "starting strategy", "starting predict"], in: err)
        #expect(starts.allSatisfy { $0 >= 0 } && starts == starts.sorted(), "\(err)")
        let stops = Self.positions(["stopping predict", "stopping strategy", "stopping exec", "stopping bus"], in: err)
        #expect(stops.allSatisfy { $0 >= 0 } && stops == stops.sorted(), "\(err)")
        for name in ["predict", "strategy", "exec", "bus"] {
            #expect(err.contains("\(name) exited with status 0"), "\(err)")
        }
        // Each service logged its own clean stop before the next one was asked to stop.
        for prefix in ["predict  | ", "strategy | ", "exec     | "] {
            #expect(out.split(separator: "\n").contains { $0.hasPrefix(prefix) && $0.contains("service stopping") })
        }
        #expect(!FileManager.default.fileExists(atPath: project.stateFile))
    }

    @Test func detachThenStatusThenDown() async throws {
        let project = try Project(compose: Self.mesh)
        defer { project.remove() }
        let up = try project.meshCtl(["up", "--detach"], extra: ["--bin", TestSupport.binDirectory.path,
                                                                 "--settle", "0.5"])
        #expect(await up.finish(seconds: 30) == 0, "\(up.stderr)")
        #expect(up.stderr.contains("running in the background"))
        let state = try #require(try ComposeState.read(from: project.stateFile))
        #expect(state.detached)
        #expect(state.services.map(\.name) == ["bus", "exec", "strategy", "predict"])
        for entry in state.services { #expect(Self.alive(entry.pid), "\(entry.name) is not running") }

        _ = try await Self.statusUntilAllHeartbeat(project)
        let again = try project.meshCtl(["up", "--detach"], extra: ["--bin", TestSupport.binDirectory.path])
        #expect(await again.finish(seconds: 20) == 1)
        #expect(again.stderr.contains("is already running"), "\(again.stderr)")

        let down = try project.meshCtl(["down"])
        #expect(await down.finish(seconds: 60) == 0, "\(down.stderr)")
        let stops = Self.positions(["stopping predict", "stopping strategy", "stopping exec", "stopping bus"],
                                   in: down.stderr)
        #expect(stops.allSatisfy { $0 >= 0 } && stops == stops.sorted(), "\(down.stderr)")
        #expect(!down.stderr.contains("killed"), "\(down.stderr)")
        for entry in state.services { #expect(!Self.alive(entry.pid), "\(entry.name) still runs") }
        #expect(!FileManager.default.fileExists(atPath: project.stateFile))
        let log = try String(contentsOfFile: project.runDirectory + "/logs/exec.log", encoding: .utf8)
        #expect(log.contains("service stopping"))

        let downAgain = try project.meshCtl(["down"])
        #expect(await downAgain.finish(seconds: 20) == 1)
        #expect(downAgain.stderr.contains("no mesh is running for project"), "\(downAgain.stderr)")
    }

    /// A service restarted by hand into the session (on its bus, outside `up`) is stopped by `down` too.
    @Test func downStopsAServiceThatJoinedTheSessionByHand() async throws {
        let project = try Project(compose: """
            services:
              bus:
                command: MeshCtl proxy
              data:
                command: DataSvc
                environment: {TRADEMESH_HEARTBEAT_MS: 100}
                depends_on: [bus]
            """)
        defer { project.remove() }
        let up = try project.meshCtl(["up", "--detach"], extra: ["--bin", TestSupport.binDirectory.path,
                                                                 "--settle", "0.3"])
        #expect(await up.finish(seconds: 30) == 0, "\(up.stderr)")
        let state = try #require(try ComposeState.read(from: project.stateFile))
        let byHand = try TestSupport.launch("ExecSvc", [], endpoints: MeshEndpoints(frontend: state.frontend,
                                                                                    backend: state.backend),
                                            directory: project.root.path)
        defer { if byHand.isRunning { kill(byHand.processIdentifier, SIGKILL) } }
        let registered = await TestSupport.eventually(seconds: 20) {
            SessionMembers.list(frontend: state.frontend).contains { $0.pid == byHand.processIdentifier }
        }
        #expect(registered)
        let down = try project.meshCtl(["down"])
        #expect(await down.finish(seconds: 60) == 0, "\(down.stderr)")
        #expect(down.stderr.contains("stopping ExecSvc (pid \(byHand.processIdentifier), joined the session by hand)"),
                "\(down.stderr)")
        #expect(await TestSupport.waitForExit(byHand, seconds: 5))
        #expect(byHand.terminationReason == .exit && byHand.terminationStatus == 0)
        for entry in state.services { #expect(!Self.alive(entry.pid), "\(entry.name) still runs") }
        #expect(SessionMembers.list(frontend: state.frontend).isEmpty)
    }

    @Test func downStopsAForegroundUpThroughIt() async throws {
        let project = try Project(compose: Self.mesh)
        defer { project.remove() }
        let up = try project.meshCtl(["up"], extra: ["--bin", TestSupport.binDirectory.path])
        _ = try await Self.statusUntilAllHeartbeat(project)
        let down = try project.meshCtl(["down"])
        #expect(await down.finish(seconds: 60) == 0, "\(down.stderr)")
        #expect(down.stderr.contains("stopping the foreground MeshCtl up (pid \(up.process.processIdentifier))"))
        #expect(await up.finish(seconds: 30) == 0)
        let stops = Self.positions(["stopping predict", "stopping strategy", "stopping exec", "stopping bus"],
                                   in: up.stderr)
        #expect(stops.allSatisfy { $0 >= 0 } && stops == stops.sorted(), "\(up.stderr)")
    }

    static let stubborn = """
        services:
          plain:
            command: ["/bin/sh", "-c", "echo plain up; exec sleep 60"]
          stubborn:
            command: ["/bin/sh", "-c", "trap '' TERM; echo stubborn up; exec sleep 60"]
            stop_grace_period: GRACE
            depends_on: [plain]
        """

    @Test func aServiceThatIgnoresSIGTERMIsKilledAfterItsGracePeriod() async throws {
        let project = try Project(compose: Self.stubborn.replacingOccurrences(of: "GRACE", with: "300ms"),
                                  withRiskConfig: false)
        defer { project.remove() }
        let up = try project.meshCtl(["up"])
        #expect(await TestSupport.eventually(seconds: 20) {
            up.stdout.contains("stubborn | stubborn up") && up.stdout.contains("plain    | plain up")
        })
        up.process.terminate()
        #expect(await up.finish(seconds: 20) == 0)
        let err = up.stderr
        #expect(err.contains("stubborn was killed (still running 0.3 seconds after SIGTERM)"), "\(err)")
        // The services get SIGTERM's default action back, though `up` itself handles it.
        #expect(err.contains("plain was killed by signal 15"), "\(err)")
        let stops = Self.positions(["stopping stubborn", "stopping plain"], in: err)
        #expect(stops.allSatisfy { $0 >= 0 } && stops == stops.sorted(), "\(err)")
    }

    @Test func aSecondSignalKillsTheRemainingServicesAtOnce() async throws {
        let project = try Project(compose: Self.stubborn.replacingOccurrences(of: "GRACE", with: "60s"),
                                  withRiskConfig: false)
        defer { project.remove() }
        let up = try project.meshCtl(["up"])
        #expect(await TestSupport.eventually(seconds: 20) { up.stdout.contains("stubborn | stubborn up") })
        up.process.terminate()
        #expect(await TestSupport.eventually(seconds: 20) { up.stderr.contains("stopping stubborn") })
        up.process.interrupt()   // SIGINT, as a second Ctrl-C
        #expect(await up.finish(seconds: 15) == 0)
        let err = up.stderr
        #expect(err.contains("second signal: killing the remaining services"), "\(err)")
        #expect(err.contains("stubborn was killed (second signal)") && err.contains("plain was killed (second signal)"),
                "\(err)")
    }

    @Test func aFailingServiceIsNamedAndStopsTheRest() async throws {
        // With a broken config/risk.yaml in the project, ExecSvc refuses to start.
        let project = try Project(compose: Self.mesh)
        defer { project.remove() }
        try "max_daily_loss: -5\n".write(to: project.root.appendingPathComponent("config/risk.yaml"), atomically: true,
                                         encoding: .utf8)
        let up = try project.meshCtl(["up"], extra: ["--bin", TestSupport.binDirectory.path])
        #expect(await up.finish(seconds: 60) == 1)
        let err = up.stderr
        #expect(err.contains("error: service 'exec' exited with status 1; stopping the others"), "\(err)")
        #expect(err.contains("stopping bus"), "\(err)")
        #expect(up.stdout.contains("exec     | error: config/risk.yaml: max_daily_loss"), "\(up.stdout)")
        #expect(!FileManager.default.fileExists(atPath: project.stateFile))

        let detached = try project.meshCtl(["up", "--detach"], extra: ["--bin", TestSupport.binDirectory.path])
        #expect(await detached.finish(seconds: 60) == 1)
        #expect(detached.stderr.contains("error: service 'exec' exited with status 1 (log: "), "\(detached.stderr)")
        #expect(!FileManager.default.fileExists(atPath: project.stateFile))
    }

    @Test func badComposeInputExitsNonZeroNamingFileAndKey() async throws {
        let project = try Project(compose: """
            services:
              bus:
                command: NoSuchExecutable --flag
            """)
        defer { project.remove() }
        let up = try project.meshCtl(["up"], extra: ["--bin", TestSupport.binDirectory.path])
        #expect(await up.finish(seconds: 20) == 1)
        #expect(up.stderr.contains("error: \(project.compose): services.bus.command: executable 'NoSuchExecutable' "
                                   + "not found"), "\(up.stderr)")

        try "services:\n  bus:\n    command: {x: 1}\n".write(toFile: project.compose, atomically: true, encoding: .utf8)
        let typed = try project.meshCtl(["up"])
        #expect(await typed.finish(seconds: 20) == 1)
        #expect(typed.stderr.contains("services.bus.command: expected a string or a list of strings"), "\(typed.stderr)")
    }

    /// Alive and not a zombie (a detached service whose parent has exited may wait to be reaped).
    static func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }
}
