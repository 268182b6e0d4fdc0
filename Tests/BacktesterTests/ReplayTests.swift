import Foundation
import Logging
import MeshKit
import Testing
import TradingCore

/// `Backtester replay`: a backtest through five real processes on a real ZeroMQ bus gives exactly the files of
/// `Backtester run`, survives garbage on the bus and late joiners, and fails loudly when a service dies.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ReplayTests {
    typealias T = BacktesterCommandTests
    static let outputs = ["trades.csv", "equity.csv", "metrics.json", "run.json", "report.html"]

    static func expectSameFiles(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for f in outputs {
            let x = FileManager.default.contents(atPath: a + "/" + f)
            #expect(x != nil, "\(a)/\(f) missing", sourceLocation: sourceLocation)
            #expect(x == FileManager.default.contents(atPath: b + "/" + f), "\(f) differs", sourceLocation: sourceLocation)
        }
    }

    /// Runs `run` and `replay` on the same config and overrides; returns the two output directories.
    static func runAndReplay(_ config: String, _ overrides: [String], replayArgs: [String] = []) async throws
        -> (run: String, replay: String, replayStdout: String)
    {
        let dir = T.temp()
        let sets = overrides.flatMap { ["--set", $0] }
        let run = try await T.backtester(["run", "--config", config, "--out", dir + "/run"] + sets)
        #expect(run.status == 0, "\(run.stderr)")
        let replay = try await T.backtester(["replay", "--config", config, "--out", dir + "/replay"] + sets + replayArgs)
        #expect(replay.status == 0, "\(replay.stderr)")
        return (dir + "/run", dir + "/replay", replay.stdout)
    }

    @Test func replayWithAPredictionsFileEqualsRun() async throws {
        let (run, replay, stdout) = try await Self.runAndReplay(
            "config/backtest.yaml", ["strategy.allow_short=true", "strategy.entry_threshold=0.002", "strategy.short_entry_threshold=-0.002",
             "strategy.stop_loss=0.02", "risk.daily_loss_cap=0.01", "close_at_end=true"])
        #expect(stdout.contains("through 5 processes"))
        Self.expectSameFiles(run, replay)
        let trades = String(decoding: FileManager.default.contents(atPath: replay + "/trades.csv") ?? Data(), as: UTF8.self)
        #expect(trades.split(separator: "\n").count > 100, "a replay that trades")
    }

    @Test func replayWithTheLSTMModelEqualsRun() async throws {
        let (run, replay, _) = try await Self.runAndReplay("config/backtest-lstm.yaml", ["start=2023-06-01"])
        Self.expectSameFiles(run, replay)
    }

    @Test func replayWithTheLiveRiskRulesEqualsRun() async throws {
        let (run, replay, _) = try await Self.runAndReplay("config/backtest.yaml",
                                                     ["start=2023-01-01", "risk_rules=config/risk.yaml"])
        Self.expectSameFiles(run, replay)
        let risk = FileManager.default.contents(atPath: run + "/risk.csv")
        #expect(risk != nil && risk == FileManager.default.contents(atPath: replay + "/risk.csv"))
        let text = String(decoding: risk ?? Data(), as: UTF8.self)
        #expect(text.contains(",denied,") && text.contains(",state,HALTED,"), "the daily loss limit bites")
    }

    @Test func lockstepOverTCPEqualsRun() async throws {
        let (run, replay, stdout) = try await Self.runAndReplay("config/backtest.yaml", ["start=2024-09-01"],
                                                          replayArgs: ["--window", "1", "--transport", "tcp"])
        #expect(stdout.contains("tcp, window 1"))
        Self.expectSameFiles(run, replay)
    }

    /// Three replays over tcp at once: each forwarder binds a port the system picks and reports it, so none
    /// collides with another (a port derived from the pid did), and all three equal `run`.
    @Test func threeTCPReplaysAtOnceAllEqualRun() async throws {
        let dir = T.temp()
        let overrides = ["--set", "start=2024-09-01"]
        let run = try await T.backtester(["run", "--config", "config/backtest.yaml", "--out", dir + "/run"] + overrides)
        #expect(run.status == 0, "\(run.stderr)")
        let results = try await withThrowingTaskGroup(of: (Int, Int32, String, String).self) { group in
            for i in 0..<3 {
                group.addTask {
                    let r = try await T.backtester(["replay", "--config", "config/backtest.yaml", "--out",
                                                    dir + "/replay\(i)", "--transport", "tcp", "--window", "16"]
                                                   + overrides)
                    return (i, r.status, r.stdout, r.stderr)
                }
            }
            var all: [(Int, Int32, String, String)] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 3)
        for (i, status, stdout, stderr) in results {
            #expect(status == 0, "replay \(i): \(stderr)")
            #expect(stdout.contains("tcp, window 16"))
            Self.expectSameFiles(dir + "/run", dir + "/replay\(i)")
        }
    }

    /// The intruder publishes from a thread of its own: the test's process waits block threads of the cooperative
    /// pool, and a sender sleeping on that pool could be starved until the replay is over.
    @Test func garbageOnEveryTopicDuringAReplayChangesNothing() async throws {
        let dir = T.temp()
        let runDirectory = dir + "/mesh"
        let endpoints = MeshEndpoints(frontend: "ipc://\(runDirectory)/in.ipc", backend: "ipc://\(runDirectory)/out.ipc")
        let intruder = BusConnection(source: "intruder", endpoints: endpoints, subscriptions: [],
                                     logger: Logger(label: "intruder"))
        try intruder.start()
        let sender = GarbageSender(intruder)
        sender.start()
        let result = try await T.backtester(["replay", "--config", "config/backtest.yaml", "--out", dir + "/replay",
                                       "--run-dir", runDirectory, "--window", "4"])
        let sent = sender.stop()
        await intruder.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(sent > 10, "garbage was sent while the replay ran")
        let run = try await T.backtester(["run", "--config", "config/backtest.yaml", "--out", dir + "/run"])
        #expect(run.status == 0)
        Self.expectSameFiles(dir + "/run", dir + "/replay")
        let log = (try? String(contentsOfFile: runDirectory + "/ExecSvc.log", encoding: .utf8)) ?? ""
        #expect(log.contains("dropped undecodable message"), "ExecSvc saw and dropped the garbage")
    }

    /// Publishes malformed frames on every topic, and well-formed bars from a service that is not DataSvc, every
    /// two milliseconds on a dedicated thread until stopped.
    final class GarbageSender: @unchecked Sendable {
        private let bus: BusConnection
        private let lock = NSLock()
        private var stopped = false
        private var rounds = 0
        private let done = DispatchSemaphore(value: 0)
        static let topics = ["bar.NVDA", "pred.NVDA", "signal.NVDA", "order.NVDA", "fill.NVDA", "pnl.NVDA", "ctl.ack",
                             "ctl.ready", "ctl.end", "ctl.heartbeat", "ctl.kill", "ctl.probe"]

        init(_ bus: BusConnection) { self.bus = bus }

        func start() {
            Thread.detachNewThread { [self] in
                while !lock.withLock({ stopped }) {
                    for topic in Self.topics {
                        let prefix = Array(topic.utf8) + [WireCodec.topicTerminator]
                        bus.publishRaw([prefix + [1, 1, 0xFF, 0xFF, 7]])                               // truncated
                        bus.publishRaw([Array(topic.utf8)])                                    // no terminator
                        bus.publishRaw([Array(topic.utf8), Array(repeating: 0xAB, count: 40)])   // two frames
                        bus.publishRaw([prefix + Array(repeating: 0xAB, count: 40), [1]])      // three frames
                    }
                    _ = bus.publish(topic: "bar.NVDA", message: .bar(symbol: "NVDA", bar: Bar(
                        time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1)), tsEvent: 0, tsInit: 0)
                    lock.withLock { rounds += 1 }
                    usleep(2_000)
                }
                done.signal()
            }
        }

        /// Stops the thread and returns how many rounds of garbage it sent.
        func stop() -> Int {
            lock.withLock { stopped = true }
            done.wait()
            return lock.withLock { rounds }
        }
    }

    @Test func aServiceKilledMidReplayStopsItWithAnErrorNamingIt() async throws {
        let dir = T.temp()
        let runDirectory = dir + "/mesh"
        let started = ContinuousClock.now
        let replay = Task.detached {
            try await T.backtester(["replay", "--config", "config/backtest.yaml", "--out", dir + "/replay",
                              "--run-dir", runDirectory, "--window", "1"])
        }
        var pid: Int32?
        while pid == nil && ContinuousClock.now - started < .seconds(30) {
            try await Task.sleep(for: .milliseconds(50))
            let pids = (try? String(contentsOfFile: runDirectory + "/pids", encoding: .utf8)) ?? ""
            pid = pids.split(separator: "\n").first { $0.hasPrefix("StrategySvc ") }
                .flatMap { Int32($0.split(separator: " ")[1]) }
        }
        let strategy = try #require(pid)
        // A replay's services run under the batch scheduling policy (field 41 of /proc/PID/stat: 3 = SCHED_BATCH).
        let stat = try String(contentsOfFile: "/proc/\(strategy)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ")", options: .backwards)!.upperBound...].split(separator: " ")
        #expect(fields.count > 38 && fields[38] == "3", "policy field: \(fields.count > 38 ? String(fields[38]) : "?")")
        try await Task.sleep(for: .milliseconds(1500))   // well inside a lockstep replay of 17,619 bars
        let killedAt = ContinuousClock.now
        kill(strategy, SIGKILL)
        let result = try await replay.value
        #expect(ContinuousClock.now - killedAt < .seconds(10))
        #expect(result.status == 1)
        #expect(result.stderr.contains("StrategySvc was killed by signal 9"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/replay/trades.csv"), "no partial results")
        #expect(!FileManager.default.fileExists(atPath: dir + "/replay/run.json"))
    }

    @Test func aServiceStartedLateLosesNoBar() async throws {
        let mesh = HandStartedMesh()
        let config = ["--config", "config/backtest.yaml", "--set", "start=2024-03-01", "--gaps", "fatal"]
        let bus = try mesh.start("MeshCtl", ["proxy"])
        let exec = try mesh.start("ExecSvc", config + ["--out", mesh.dir + "/replay"])
        let predict = try mesh.start("PredictSvc", ["serve"] + config)
        let data = try mesh.start("DataSvc", ["replay"] + config + ["--window", "8"])
        // StrategySvc joins a second later: the replay waits for it instead of losing bars.
        try await Task.sleep(for: .seconds(1))
        let strategy = try mesh.start("StrategySvc", config)
        try await mesh.expectClean([data, exec, strategy, predict])
        bus.terminate()
        await T.exit(bus)
        let run = try await T.backtester(["run", "--config", "config/backtest.yaml", "--set", "start=2024-03-01",
                                    "--out", mesh.dir + "/run"])
        #expect(run.status == 0)
        Self.expectSameFiles(mesh.dir + "/run", mesh.dir + "/replay")
    }

    @Test func replayAttachedToARunningMeshEqualsRun() async throws {
        let mesh = HandStartedMesh()
        let config = ["--config", "config/backtest-lstm.yaml", "--set", "start=2024-06-01"]
        let bus = try mesh.start("MeshCtl", ["proxy"])
        let services = [
            try mesh.start("ExecSvc", config + ["--gaps", "fatal", "--out", mesh.dir + "/replay"]),
            try mesh.start("StrategySvc", config + ["--gaps", "fatal"]),
            try mesh.start("PredictSvc", ["serve"] + config + ["--gaps", "fatal"]),
        ]
        let attached = try mesh.start("Backtester", ["replay", "--attach", "--window", "16"] + config,
                                      stdout: mesh.dir + "/attach.txt")
        try await mesh.expectClean([attached] + services)
        bus.terminate()
        await T.exit(bus)
        let printed = (try? String(contentsOfFile: mesh.dir + "/attach.txt", encoding: .utf8)) ?? ""
        #expect(printed.contains("onto the running mesh"), "\(printed)")
        let run = try await T.backtester(["run", "--out", mesh.dir + "/run"] + config)
        #expect(run.status == 0)
        Self.expectSameFiles(mesh.dir + "/run", mesh.dir + "/replay")
    }

    @Test func aBadConfigIsReportedOnceBeforeAnyProcessStarts() async throws {
        let r = try await T.backtester(["replay", "--config", "config/backtest.yaml", "--set", "strategy.entry_treshold=1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("entry_treshold"), "\(r.stderr)")
        let w = try await T.backtester(["replay", "--config", "config/backtest.yaml", "--window", "0"])
        #expect(w.status == 1)
        #expect(w.stderr.contains("--window must be at least 1"))
        let s = try await T.backtester(["replay", "--config", "config/backtest.yaml", "--scheduling", "fast"])
        #expect(s.status == 1)
        #expect(s.stderr.contains("--scheduling must be batch or normal, got 'fast'"), "\(s.stderr)")
    }
}

/// Run one at a time with the replay tests: each starts a whole mesh of live-paced processes.
extension ReplayTests {
    /// A paper session: the same services on a live-paced feed stamped with the wall clock trade exactly as the
    /// backtest of the same bars.
    @Suite(.timeLimit(.minutes(2))) struct LiveFeedTests {
        typealias T = BacktesterCommandTests

        @Test func aLivePacedSessionTradesExactlyAsTheBacktest() async throws {
            let mesh = HandStartedMesh()
            let dir = mesh.dir
            let config = HandStartedMesh.tradingConfig(from: "2024-11-01")
            let bus = try mesh.start("MeshCtl", ["proxy"])
            let tap = try mesh.start("MeshCtl", ["tap", "fill.", "bar.", "--count", "40"], stdout: dir + "/tap.jsonl")
            let exec = try mesh.start("ExecSvc", config + ["--out", dir + "/paper", "--live-log", dir + "/live.log",
                                                           "--journal", dir + "/journal.sqlite"],
                                      stdout: dir + "/exec.out")
            let strategy = try mesh.start("StrategySvc", config)
            let predict = try mesh.start("PredictSvc", ["serve"] + config)
            // One hourly bar every 2 ms of real time.
            let data = try mesh.start("DataSvc", ["live", "--speed", "1800000"] + config)
            try await mesh.expectClean([data, exec, strategy, predict])
            tap.terminate()
            bus.terminate()
            await T.exit(tap)
            await T.exit(bus)
            let run = try await T.backtester(["run", "--out", dir + "/run"] + config)
            #expect(run.status == 0)
            ReplayTests.expectSameFiles(dir + "/run", dir + "/paper")
            // The live feed stamps bars with the wall clock, not with the bar's own time.
            let lines = (try? String(contentsOfFile: dir + "/tap.jsonl", encoding: .utf8))?.split(separator: "\n") ?? []
            let bar = try #require(lines.first { $0.contains("bar.NVDA") })
            let now = Date().timeIntervalSince1970
            let stamped = try #require((try JSONSerialization.jsonObject(with: Data(bar.utf8)) as? [String: Any])?["ts_event"]
                as? NSNumber).doubleValue / 1e9
            #expect(abs(now - stamped) < 600, "ts_event \(stamped) is the wall clock")
            #expect(lines.contains { $0.contains("fill.NVDA") }, "fills are visible on the bus")
            // The live metrics log: one line per bar, on stdout and in the file.
            let live = ((try? String(contentsOfFile: dir + "/live.log", encoding: .utf8)) ?? "").split(separator: "\n")
            let rows = ((try? String(contentsOfFile: dir + "/paper/equity.csv", encoding: .utf8)) ?? "")
                .split(separator: "\n").count - 1
            #expect(live.count == rows, "one line per bar")
            #expect(live.first?.contains("2024-11-01T") == true && live.first?.contains("  equity ") == true,
                    "\(String(describing: live.first))")
            #expect(live.contains { $0.contains("signal LONG") })
            let printed = (try? String(contentsOfFile: dir + "/exec.out", encoding: .utf8)) ?? ""
            #expect(printed.contains(String(live.last ?? "?")))
            // The journal rebuilds the session's files exactly.
            let export = try await T.execute(T.sibling("ExecSvc"),
                                       ["export", "--journal", dir + "/journal.sqlite", "--out", dir + "/export"])
            #expect(export.status == 0, "\(export.stderr)")
            ReplayTests.expectSameFiles(dir + "/paper", dir + "/export")
        }
    }
}

/// Run one at a time with the replay tests: each starts a whole mesh of live-paced processes.
extension ReplayTests {
    /// The kill switch on a live paper session: from `MeshCtl kill`, lifted by `MeshCtl resume`, and from SIGUSR1.
    @Suite(.timeLimit(.minutes(2))) struct KillSwitchProcessTests {
        typealias T = BacktesterCommandTests

        @Test func killResumeAndSIGUSR1ReachTheExecutionService() async throws {
            let mesh = HandStartedMesh()
            let dir = mesh.dir
            let config = HandStartedMesh.tradingConfig(from: "2024-10-01")
            let bus = try mesh.start("MeshCtl", ["proxy"])
            let exec = try mesh.start("ExecSvc", config + ["--out", dir + "/paper", "--log-level", "info",
                                                           "--journal", dir + "/journal.sqlite"],
                                      stderr: dir + "/exec.log")
            let strategy = try mesh.start("StrategySvc", config)
            let predict = try mesh.start("PredictSvc", ["serve"] + config)
            // About 440 bars at one hourly bar per 10 ms (nights and weekends too): some 20 s of session, long enough
            // for the three switches even on a loaded machine; each step waits for its evidence in ExecSvc's log.
            let data = try mesh.start("DataSvc", ["live", "--speed", "360000"] + config)
            func log() -> String { mesh.read("exec.log") }
            func ctl(_ args: [String]) async throws {
                let p = try mesh.start("MeshCtl", args)
                try await mesh.expectClean([p], seconds: 15)
            }
            func logShows(_ text: String, seconds: Int = 15) async throws -> Bool {
                try await mesh.waitUntil("exec.log", contains: text, seconds: seconds)
            }
            // Once ExecSvc is on the bus and bars flow, pull the switch.
            #expect(try await logShows("service ready", seconds: 30))
            try await Task.sleep(for: .milliseconds(500))
            try await ctl(["kill", "--reason", "drill", "--flatten"])
            #expect(try await logShows("kill switch: trading halted"), "\(log())")
            #expect(log().contains("drill"))
            try await ctl(["resume", "--reason", "drill over"])
            #expect(try await logShows("kill switch lifted"))
            kill(exec.processIdentifier, SIGUSR1)
            #expect(try await logShows("SIGUSR1"))
            #expect(!log().contains("execution finished"), "all three switches came while the session ran")
            #expect(exec.isRunning, "the kill switch never stops the service")
            try await mesh.expectClean([data, exec, strategy, predict])
            bus.terminate()
            await T.exit(bus)
            // Halted by SIGUSR1 and never resumed: the session ends flat, with fewer trades than the backtest.
            let equity = (try? String(contentsOfFile: dir + "/paper/equity.csv", encoding: .utf8)) ?? ""
            let lastPosition = equity.split(separator: "\n").last?.split(separator: ",")[3]
            #expect(lastPosition == "0.0", "\(String(describing: lastPosition))")
            let run = try await T.backtester(["run", "--out", dir + "/run"] + config)
            #expect(run.status == 0)
            func trades(_ d: String) -> Int {
                ((try? String(contentsOfFile: d + "/trades.csv", encoding: .utf8)) ?? "").split(separator: "\n").count
            }
            #expect(trades(dir + "/paper") < trades(dir + "/run"))
            // The journal holds the kill switch's events where they happened: exporting it gives the session's files.
            let export = try await T.execute(T.sibling("ExecSvc"),
                                       ["export", "--journal", dir + "/journal.sqlite", "--out", dir + "/export"])
            #expect(export.status == 0, "\(export.stderr)")
            ReplayTests.expectSameFiles(dir + "/paper", dir + "/export")
            // Read by a third party (Python's sqlite3): every order sent to the broker with what became of it, and
            // the kill switch's denials as risk events.
            let query = try await T.execute(ReportTests.python, ["-c", """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                one = lambda q: db.execute(q).fetchone()[0]
                print(one("SELECT value FROM meta WHERE key = 'schema_version'"),
                      one("SELECT COUNT(*) FROM orders WHERE acknowledged = 1"),
                      one("SELECT COUNT(*) FROM orders WHERE status = 'filled'"), one("SELECT COUNT(*) FROM fills"),
                      one("SELECT COUNT(*) FROM risk_events WHERE kind = 'denied' AND rule = 'kill_switch'"))
                """, dir + "/journal.sqlite"])
            let counts = query.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(counts.count == 5, "\(query.stdout) \(query.stderr)")
            if counts.count == 5 {
                #expect(counts[0] == 2, "schema version")
                #expect(counts[1] > 0 && counts[1] == counts[2] && counts[2] == counts[3],
                        "every order the broker saw filled once")
                #expect(counts[4] > 0, "decisions refused while halted are journaled")
            }
            // A second session may not reuse the journal; a file that is not one is refused, untouched.
            let reuse = try await T.execute(T.sibling("ExecSvc"),
                                      config + ["--journal", dir + "/journal.sqlite"])
            #expect(reuse.status == 1)
            #expect(reuse.stderr.contains("already exists"), "\(reuse.stderr)")
            try "not a database".write(toFile: dir + "/bad.sqlite", atomically: true, encoding: .utf8)
            let bad = try await T.execute(T.sibling("ExecSvc"),
                                    ["export", "--journal", dir + "/bad.sqlite", "--out", dir + "/bad"])
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("not a TradeMesh journal"), "\(bad.stderr)")
            #expect(try String(contentsOfFile: dir + "/bad.sqlite", encoding: .utf8) == "not a database")
        }
    }
}

/// Run one at a time with the replay tests: each starts a whole mesh of live-paced processes.
extension ReplayTests {
    /// The kill switch cannot be lost: acknowledged only once journaled, refused to strangers when lifting, and
    /// still engaged after a crash.
    @Suite(.timeLimit(.minutes(2))) struct DurableKillSwitchTests {
        typealias T = BacktesterCommandTests

        /// Runs `MeshCtl` on the mesh to its end: its status, stdout and stderr.
        static func ctl(_ mesh: HandStartedMesh, _ args: [String], name: String) async throws
            -> (status: Int32, out: String, err: String)
        {
            let p = try mesh.start("MeshCtl", args, stdout: mesh.dir + "/\(name).out", stderr: mesh.dir + "/\(name).err")
            await T.exit(p)
            return (p.terminationStatus, mesh.read("\(name).out"), mesh.read("\(name).err"))
        }

        /// A SQL count in the journal, read by a third party (Python's sqlite3).
        static func count(_ sql: String, in journal: String) async throws -> Int? {
            let query = try await T.execute(ReportTests.python, ["-c", """
                import sqlite3, sys
                print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])
                """, journal, sql])
            return Int(query.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        @Test func aKillIsAcknowledgedOnceJournaledAndSurvivesACrash() async throws {
            let mesh = HandStartedMesh()
            let dir = mesh.dir
            let journal = dir + "/journal.sqlite"
            let config = HandStartedMesh.tradingConfig(from: "2024-10-01")
            let bus = try mesh.start("MeshCtl", ["proxy"])
            // With no execution service, nobody acknowledges: the switch's state is unknown, and MeshCtl says so.
            let unheard = try await Self.ctl(mesh, ["kill", "--reason", "nobody", "--timeout", "1"], name: "kill0")
            #expect(unheard.status == 1)
            #expect(unheard.err.contains("no execution service acknowledged"), "\(unheard.err)")
            let args = config + ["--journal", journal, "--out", dir + "/paper", "--log-level", "info"]
            let first = try mesh.start("ExecSvc", args, stderr: dir + "/exec1.log")
            let strategy = try mesh.start("StrategySvc", config)
            let predict = try mesh.start("PredictSvc", ["serve"] + config)
            // One hourly bar every 20 ms of real time: some 40 s of session.
            let data = try mesh.start("DataSvc", ["live", "--speed", "180000"] + config)
            #expect(try await mesh.waitUntil("exec1.log", contains: "service ready"))
            // Once the session trades (an order in the journal), pull the switch.
            let deadline = ContinuousClock.now + .seconds(30)
            while (try await Self.count("SELECT COUNT(*) FROM orders", in: journal) ?? 0) == 0
                    && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            let killed = try await Self.ctl(mesh, ["kill", "--reason", "drill"], name: "kill1")
            #expect(killed.status == 0, "\(killed.err)")
            #expect(killed.out.contains("ExecSvc: kill switch acknowledged, halted"), "\(killed.out)")
            // Acknowledged means committed: the kill is in the file the moment MeshCtl returns.
            #expect(try await Self.count("SELECT COUNT(*) FROM events WHERE kind = 'kill'", in: journal) == 1)
            // A stranger cannot lift it: a resume without the operator's proof is refused (and does not crash).
            let evil = try await Self.ctl(mesh, ["pub", "ctl.resume", #"{"reason":"evil"}"#, "--source", "Evil"],
                                          name: "evil")
            #expect(evil.status == 0)
            #expect(try await mesh.waitUntil("exec1.log", contains: "request refused"), "\(mesh.read("exec1.log"))")
            let secret = try FileManager.default.attributesOfItem(atPath: dir + "/operator.secret")
            #expect((secret[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            // A crash right after: the restarted service comes back halted and places no order.
            kill(first.processIdentifier, SIGKILL)
            await T.exit(first)
            let second = try mesh.start("ExecSvc", args + ["--resume"], stderr: dir + "/exec2.log")
            #expect(try await mesh.waitUntil("exec2.log", contains: "resumed from the journal"))
            #expect(mesh.read("exec2.log").contains("halted=true"), "\(mesh.read("exec2.log"))")
            try await Task.sleep(for: .seconds(2))   // bars go by while halted
            // The operator lifts it (MeshCtl reads the operator secret): acknowledged, trading again.
            let resumed = try await Self.ctl(mesh, ["resume", "--reason", "drill over"], name: "resume")
            #expect(resumed.status == 0, "\(resumed.err)")
            #expect(resumed.out.contains("ExecSvc: resume acknowledged, trading"), "\(resumed.out)")
            try await mesh.expectClean([data, second, strategy, predict], seconds: 90)
            bus.terminate()
            await T.exit(bus)
            let events = try await Self.count("SELECT COUNT(*) FROM events", in: journal)
            #expect(events == 2, "the kill and the operator's resume; the refused resume is not an event")
            // No decision was carried out between the kill and the resume, across the crash (a stop may still
            // close a position: that reduces risk).
            let traded = try await Self.count("""
                SELECT COUNT(*) FROM fills WHERE reason = 'signal'
                AND seq > (SELECT bars_done FROM events WHERE kind = 'kill')
                AND seq <= (SELECT bars_done FROM events WHERE kind = 'resume')
                """, in: journal)
            #expect(traded == 0)
            let halted = try await Self.count("""
                SELECT (SELECT bars_done FROM events WHERE kind = 'resume')
                     - (SELECT bars_done FROM events WHERE kind = 'kill')
                """, in: journal)
            #expect((halted ?? 0) > 0, "bars went by while halted")
        }

        @Test func aResumeWithoutBarsStartsAndAResumeAfterTheFeedEndedFails() async throws {
            let mesh = HandStartedMesh()
            let dir = mesh.dir
            let journal = dir + "/journal.sqlite"
            let config = HandStartedMesh.tradingConfig(from: "2024-11-15")
            let args = config + ["--journal", journal, "--log-level", "info"]
            let bus = try mesh.start("MeshCtl", ["proxy"])
            // A session stopped before its first bar: its journal has none.
            let first = try mesh.start("ExecSvc", args + ["--out", dir + "/paper"], stderr: dir + "/exec1.log")
            #expect(try await mesh.waitUntil("exec1.log", contains: "service ready"))
            first.terminate()
            await T.exit(first)
            #expect(first.terminationStatus == 0)
            // Resumed on it, it asks for the feed from the first bar and runs the session to its end.
            let second = try mesh.start("ExecSvc", args + ["--resume", "--out", dir + "/paper"],
                                        stderr: dir + "/exec2.log")
            #expect(try await mesh.waitUntil("exec2.log", contains: "resumed from the journal"))
            let strategy = try mesh.start("StrategySvc", config)
            let predict = try mesh.start("PredictSvc", ["serve"] + config)
            let data = try mesh.start("DataSvc", ["live", "--speed", "1800000"] + config)
            try await mesh.expectClean([data, second, strategy, predict])
            let run = try await T.backtester(["run", "--out", dir + "/run"] + config)
            #expect(run.status == 0)
            ReplayTests.expectSameFiles(dir + "/run", dir + "/paper")
            // The feed has ended: a resume now waits for nothing; it says so and exits non-zero.
            let started = ContinuousClock.now
            let late = try mesh.start("ExecSvc", args + ["--resume", "--resume-timeout", "1", "--out", dir + "/late"],
                                      stderr: dir + "/exec3.log")
            await T.exit(late)
            #expect(late.terminationStatus != 0)
            #expect(mesh.read("exec3.log").contains("the feed has ended"), "\(mesh.read("exec3.log"))")
            #expect(ContinuousClock.now - started < .seconds(30))
            bus.terminate()
            await T.exit(bus)
            // --journal-dir errors name the path and the reason.
            let notADirectory = try await T.execute(T.sibling("ExecSvc"), config + ["--journal-dir", journal + "/x"])
            #expect(notADirectory.status != 0)
            #expect(notADirectory.stderr.contains("--journal-dir \(journal)/x: cannot create the directory: \(journal) is not a directory"),
                    "\(notADirectory.stderr)")
            #expect(!notADirectory.stderr.contains("NSCocoaErrorDomain"))
        }
    }
}

/// A mesh started process by process, as a user starts one by hand, on a private ipc bus.
struct HandStartedMesh {
    typealias T = BacktesterCommandTests
    let dir = T.temp()
    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TRADEMESH_BUS_FRONTEND"] = "ipc://\(dir)/in.ipc"
        env["TRADEMESH_BUS_BACKEND"] = "ipc://\(dir)/out.ipc"
        env["TRADEMESH_HEARTBEAT_MS"] = "200"
        return env
    }

    /// Starts a TradeMesh executable (from the test build) in the package root.
    func start(_ executable: String, _ args: [String], stdout: String? = nil, stderr: String? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: T.sibling(executable))
        p.arguments = args
        p.environment = environment
        p.currentDirectoryURL = T.root
        if let stdout {
            #expect(FileManager.default.createFile(atPath: stdout, contents: nil))
            p.standardOutput = FileHandle(forWritingAtPath: stdout)
        } else {
            p.standardOutput = FileHandle.nullDevice
        }
        if let stderr {
            #expect(FileManager.default.createFile(atPath: stderr, contents: nil))
            p.standardError = FileHandle(forWritingAtPath: stderr)
        } else {
            p.standardError = FileHandle.nullDevice
        }
        try p.run()
        return p
    }

    /// The sample strategy with a lower entry threshold (it trades often) from `start` to the end of the data.
    static func tradingConfig(from start: String) -> [String] {
        ["--config", "config/backtest.yaml", "--set", "start=\(start)", "--set", "strategy.entry_threshold=0.002"]
    }

    /// The text of `file` in the mesh's directory.
    func read(_ file: String) -> String { (try? String(contentsOfFile: dir + "/" + file, encoding: .utf8)) ?? "" }

    /// Waits until `file` (in the mesh's directory) contains `text`; false after `seconds`.
    func waitUntil(_ file: String, contains text: String, seconds: Int = 30) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !read(file).contains(text) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return read(file).contains(text)
    }

    /// Waits for each to exit (killing what still runs after `seconds`) and expects status 0.
    func expectClean(_ processes: [Process], seconds: Int = 60,
                     sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        for p in processes {
            while p.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            if p.isRunning {
                Issue.record("\(p.executableURL?.lastPathComponent ?? "?") still running after \(seconds) s",
                             sourceLocation: sourceLocation)
                kill(p.processIdentifier, SIGKILL)
                await T.exit(p)
            }
            #expect(p.terminationStatus == 0, "\(p.executableURL?.lastPathComponent ?? "?") failed",
                    sourceLocation: sourceLocation)
        }
    }
}

/// Run one at a time with the replay tests: each starts a whole mesh of live-paced processes.
extension ReplayTests {
    /// The paper session as a user starts it: `MeshCtl up compose/compose.yaml` with the live-paced sample data.
    @Suite(.timeLimit(.minutes(2))) struct ComposePaperSessionTests {
        typealias T = BacktesterCommandTests

        @Test func meshCtlUpRunsAPaperSessionWhoseFillsCanBeTapped() async throws {
            let mesh = HandStartedMesh()
            let dir = mesh.dir
            var env = ProcessInfo.processInfo.environment
            env["TRADEMESH_SPEED"] = "360000"            // ten seconds of real time for the month of config/paper.yaml
            env["TRADEMESH_RESULTS"] = dir + "/paper"
            let bin = URL(fileURLWithPath: T.binary).deletingLastPathComponent().path
            func launch(_ args: [String], stdout: String) throws -> Process {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: bin + "/MeshCtl")
                p.arguments = args
                p.environment = env
                p.currentDirectoryURL = T.root
                #expect(FileManager.default.createFile(atPath: stdout, contents: nil))
                p.standardOutput = FileHandle(forWritingAtPath: stdout)
                p.standardError = FileHandle(forWritingAtPath: stdout)
                try p.run()
                return p
            }
            let up = try launch(["up", "compose/compose.yaml", "--run-dir", dir + "/mesh", "--bin", bin],
                                stdout: dir + "/up.log")
            let tap = try launch(["tap", "fill.", "--backend", "ipc://\(dir)/mesh/bus-out.ipc", "--count", "2",
                                  "--timeout", "60"], stdout: dir + "/tap.jsonl")
            try await mesh.expectClean([tap], seconds: 60)
            let fills = ((try? String(contentsOfFile: dir + "/tap.jsonl", encoding: .utf8)) ?? "").split(separator: "\n")
            #expect(fills.count == 2 && fills.allSatisfy { $0.contains("\"type\":\"fill\"") }, "\(fills)")
            // The session runs to the end of the data; then the services exit 0 and the results are written.
            let deadline = ContinuousClock.now + .seconds(60)
            while !FileManager.default.fileExists(atPath: dir + "/paper/report.html") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(300))
            up.terminate()   // SIGTERM: the bus, the last one running, stops; `up` exits 0
            try await mesh.expectClean([up], seconds: 20)
            let log = (try? String(contentsOfFile: dir + "/up.log", encoding: .utf8)) ?? ""
            for service in ["bus", "exec", "strategy", "predict", "data"] {
                #expect(log.contains("\(service) "), "prefixed lines of \(service)")
            }
            #expect(log.contains("signal "), "the live metrics log reached the console")
            let run = try await T.backtester(["run", "--config", "config/paper.yaml", "--out", dir + "/run"])
            #expect(run.status == 0)
            ReplayTests.expectSameFiles(dir + "/run", dir + "/paper")
            let live = ((try? String(contentsOfFile: dir + "/paper/live.log", encoding: .utf8)) ?? "").split(separator: "\n")
            #expect(live.count == 147, "one line per bar of the month")
        }
    }
}

/// Run one at a time with the replay tests: each starts a whole mesh of live-paced processes.
extension ReplayTests {
    /// Crash safety: `kill -9` of a service in the middle of a paper session, then a restart (`--resume`).
    @Suite(.timeLimit(.minutes(2))) struct CrashRecoveryTests {
        typealias T = BacktesterCommandTests

        @Test func execSvcKilledAndResumedFromItsJournalEndsLikeAnUninterruptedSession() async throws {
            let mesh = HandStartedMesh()
            let dir = mesh.dir
            let config = HandStartedMesh.tradingConfig(from: "2024-10-01")
            let bus = try mesh.start("MeshCtl", ["proxy"])
            let tap = try mesh.start("MeshCtl", ["tap", "fill."], stdout: dir + "/fills.jsonl")
            let journal = ["--journal", dir + "/journal.sqlite", "--out", dir + "/paper", "--log-level", "info"]
            let first = try mesh.start("ExecSvc", config + journal, stderr: dir + "/exec1.log")
            let strategy = try mesh.start("StrategySvc", config)
            let predict = try mesh.start("PredictSvc", ["serve"] + config)
            // About 440 bars at one hourly bar per 10 ms, nights and weekends too: some 20 s of session.
            let data = try mesh.start("DataSvc", ["live", "--speed", "360000"] + config)
            func log(_ name: String) -> String { mesh.read(name) }
            #expect(try await mesh.waitUntil("exec1.log", contains: "service ready"))
            try await Task.sleep(for: .seconds(3))
            kill(first.processIdentifier, SIGKILL)
            await T.exit(first)
            try await Task.sleep(for: .milliseconds(700))   // bars go by while it is down
            let second = try mesh.start("ExecSvc", config + journal + ["--resume"], stderr: dir + "/exec2.log")
            try await mesh.expectClean([data, second, strategy, predict], seconds: 60)
            #expect(log("exec2.log").contains("resumed from the journal"), "\(log("exec2.log"))")
            // Let the tap take in the last fills (a loaded machine may deliver them late), then stop it.
            let expected = try await T.backtester(["run", "--out", dir + "/run"] + config)
            #expect(expected.status == 0)
            let trades = log("run/trades.csv").split(separator: "\n").count - 1
            let open = log("run/metrics.json").contains("\"open_position\": {") ? 1 : 0
            let deadline = ContinuousClock.now + .seconds(10)
            while log("fills.jsonl").split(separator: "\n").count < 2 * trades + open && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            tap.terminate()
            await T.exit(tap)
            bus.terminate()
            await T.exit(bus)

            // The finished session equals an uninterrupted one: the backtest of the same bars.
            ReplayTests.expectSameFiles(dir + "/run", dir + "/paper")
            // No order twice, no fill missed: every fill went out on the bus exactly once.
            let fills = log("fills.jsonl").split(separator: "\n").compactMap { line -> String? in
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return object?["client_order_id"] as? String
            }
            #expect(Set(fills).count == fills.count, "a fill published twice")
            #expect(fills.count == 2 * trades + open, "\(fills.count) fills on the bus for \(trades) trades")
            // The finished journal (written by both processes) gives the same trades and equity.
            let export = try await T.execute(T.sibling("ExecSvc"),
                                       ["export", "--journal", dir + "/journal.sqlite", "--out", dir + "/export"])
            #expect(export.status == 0, "\(export.stderr)")
            ReplayTests.expectSameFiles(dir + "/run", dir + "/export")
        }

        @Test func strategyAndPredictionServicesKilledAndRestartedLoseNothing() async throws {
            let mesh = HandStartedMesh()
            let dir = mesh.dir
            let config = HandStartedMesh.tradingConfig(from: "2024-10-01")
            let bus = try mesh.start("MeshCtl", ["proxy"])
            let exec = try mesh.start("ExecSvc", config + ["--out", dir + "/paper", "--log-level", "info"],
                                      stderr: dir + "/exec.log")
            let strategy1 = try mesh.start("StrategySvc", config)
            let predict1 = try mesh.start("PredictSvc", ["serve"] + config)
            let data = try mesh.start("DataSvc", ["live", "--speed", "360000"] + config)
            #expect(try await mesh.waitUntil("exec.log", contains: "service ready"))
            try await Task.sleep(for: .seconds(2))
            kill(strategy1.processIdentifier, SIGKILL)
            await T.exit(strategy1)
            try await Task.sleep(for: .milliseconds(700))
            let strategy2 = try mesh.start("StrategySvc", config + ["--resume"])
            try await Task.sleep(for: .seconds(3))
            kill(predict1.processIdentifier, SIGKILL)
            await T.exit(predict1)
            try await Task.sleep(for: .milliseconds(700))
            let predict2 = try mesh.start("PredictSvc", ["serve", "--resume"] + config)
            try await mesh.expectClean([data, exec, strategy2, predict2], seconds: 60)
            #expect(mesh.read("exec.log").contains("execution finished"), "the session ran to its end")
            bus.terminate()
            await T.exit(bus)
            let run = try await T.backtester(["run", "--out", dir + "/run"] + config)
            #expect(run.status == 0)
            ReplayTests.expectSameFiles(dir + "/run", dir + "/paper")
        }

        @Test func theLiveFeedKilledAndResumedContinuesTheSession() async throws {
            let mesh = HandStartedMesh()
            let dir = mesh.dir
            let config = HandStartedMesh.tradingConfig(from: "2024-10-01")
            let bus = try mesh.start("MeshCtl", ["proxy"])
            let exec = try mesh.start("ExecSvc", config + ["--out", dir + "/paper", "--log-level", "info", "--gaps", "fatal"],
                                      stderr: dir + "/exec.log")
            let strategy = try mesh.start("StrategySvc", config + ["--gaps", "fatal"])
            let predict = try mesh.start("PredictSvc", ["serve", "--gaps", "fatal"] + config)
            let feed = ["live", "--speed", "360000", "--progress-file", dir + "/feed.progress"] + config
            let data1 = try mesh.start("DataSvc", feed)
            #expect(try await mesh.waitUntil("exec.log", contains: "service ready"))
            try await Task.sleep(for: .seconds(3))
            kill(data1.processIdentifier, SIGKILL)
            await T.exit(data1)
            let published = Int(mesh.read("feed.progress").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            #expect(published > 10, "bars went out before the crash")
            try await Task.sleep(for: .milliseconds(700))
            let data2 = try mesh.start("DataSvc", feed + ["--resume"])
            try await mesh.expectClean([data2, exec, strategy, predict], seconds: 60)
            bus.terminate()
            await T.exit(bus)
            // No gap anywhere (the services run with the fatal gap policy) and the same session as the backtest.
            let run = try await T.backtester(["run", "--out", dir + "/run"] + config)
            #expect(run.status == 0)
            ReplayTests.expectSameFiles(dir + "/run", dir + "/paper")
        }
    }
}
