import Foundation
import Testing
import TestSupport
import TradingCore
@testable import MeshCLI
@testable import MeshKit

/// Real processes: the built executables, the forwarder, SIGTERM, `MeshCtl pub` → `MeshCtl tap`.
@Suite(.timeLimit(.minutes(1))) struct ProcessTests {
    @Test(arguments: [["DataSvc"], ["StrategySvc"], ["ExecSvc"], ["PredictSvc", "serve"]])
    func serviceStopsOnSIGTERMWithExitZero(command: [String]) async throws {
        let endpoints = TestSupport.endpoints()
        let proxy = try TestSupport.launch("MeshCtl", ["proxy"], endpoints: endpoints)
        defer { proxy.terminate() }
        let out = Pipe()
        let tap = try TestSupport.launch("MeshCtl", ["tap", "ctl.heartbeat", "--count", "2", "--timeout", "20"],
                                         endpoints: endpoints, stdout: out)
        let service = try TestSupport.launch(command[0], Array(command.dropFirst()), endpoints: endpoints)
        #expect(await TestSupport.waitForExit(tap, seconds: 20))
        #expect(tap.terminationStatus == 0)
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(lines.contains("\"service\":\"\(command[0])\""))
        service.terminate()   // SIGTERM
        // The bound catches a hang, not a slow stop: the stop takes milliseconds, but with the whole suite's
        // processes on two cores, being scheduled at all has taken over a second.
        #expect(await TestSupport.waitForExit(service, seconds: 5))
        #expect(service.terminationReason == .exit)
        #expect(service.terminationStatus == 0)
        proxy.terminate()
        let proxyStopped = await TestSupport.waitForExit(proxy, seconds: 1)
        #expect(proxyStopped)
        if proxyStopped { #expect(proxy.terminationStatus == 0) } else { proxy.interrupt() }
    }

    @Test func tapPrintsWhatPubInjects() async throws {
        let endpoints = TestSupport.endpoints()
        let proxy = try TestSupport.launch("MeshCtl", ["proxy"], endpoints: endpoints)
        defer { proxy.terminate() }
        let out = Pipe()
        let tap = try TestSupport.launch("MeshCtl", ["tap", "ctl.kill", "bar.", "--count", "2", "--timeout", "20"],
                                         endpoints: endpoints, stdout: out)
        let kill = try TestSupport.launch("MeshCtl", ["pub", "ctl.kill", #"{"reason":"manual","flatten":true}"#],
                                          endpoints: endpoints)
        #expect(await TestSupport.waitForExit(kill, seconds: 15))
        #expect(kill.terminationStatus == 0)
        let bar = try TestSupport.launch("MeshCtl", ["pub", "bar.NVDA", "--seq", "9",
            #"{"time":1700000000000000000,"open":1,"high":2,"low":0.5,"close":1.5,"volume":10}"#], endpoints: endpoints)
        #expect(await TestSupport.waitForExit(bar, seconds: 15))
        #expect(await TestSupport.waitForExit(tap, seconds: 20))
        #expect(tap.terminationStatus == 0)
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.contains(#""topic":"ctl.kill","type":"kill","seq":1,"source":"MeshCtl""#) == true)
        #expect(lines.first?.hasSuffix(#""reason":"manual","flatten":true}"#) == true)
        #expect(lines.last?.contains(#""seq":9"#) == true)
        #expect(lines.last?.contains(#""symbol":"NVDA","time":1700000000000000000,"open":1.0,"high":2.0"#) == true)
    }

    @Test func replayPublishesEveryBarOfTheCSVInOrder() async throws {
        let endpoints = TestSupport.endpoints()
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).csv")
        try """
            Time,Open,High,Low,Close,Volume
            2024-01-02T09:30:00,10,11,9,10.5,100
            2024-01-02T10:30:00,10.5,12,10,11.5,200
            2024-01-02T11:30:00,11.5,12,11,11.25,300

            """.write(to: csv, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: csv) }
        let proxy = try TestSupport.launch("MeshCtl", ["proxy"], endpoints: endpoints)
        defer { proxy.terminate() }
        let out = Pipe()
        let tap = try TestSupport.launch("MeshCtl", ["tap", "ctl.kill", "bar.", "--count", "4", "--timeout", "20"],
                                         endpoints: endpoints, stdout: out)
        // pub's handshake returns once the tap's subscription has reached the forwarder.
        let kill = try TestSupport.launch("MeshCtl", ["pub", "ctl.kill", #"{"reason":"start","flatten":false}"#],
                                          endpoints: endpoints)
        #expect(await TestSupport.waitForExit(kill, seconds: 15))
        let replay = try TestSupport.launch("DataSvc", ["replay", "--data", csv.path, "--symbol", "TEST"],
                                            endpoints: endpoints)
        #expect(await TestSupport.waitForExit(replay, seconds: 15))
        #expect(replay.terminationStatus == 0)
        #expect(await TestSupport.waitForExit(tap, seconds: 20))
        #expect(tap.terminationStatus == 0)
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n")
        let bars = lines.filter { $0.contains(#""topic":"bar.TEST""#) }
        #expect(bars.count == 3)
        for (index, line) in bars.enumerated() {
            #expect(line.contains(#""seq":\#(index + 1),"source":"DataSvc""#))
        }
        #expect(bars.last?.contains(#""close":11.25"#) == true)
    }

    @Test func badInputExitsNonZeroWithTheField() async throws {
        let endpoints = TestSupport.endpoints()
        let err = Pipe()
        let pub = try TestSupport.launch("MeshCtl", ["pub", "ctl.kill", #"{"reason": 5}"#], endpoints: endpoints,
                                         stderr: err)
        #expect(await TestSupport.waitForExit(pub, seconds: 10))
        #expect(pub.terminationStatus == 1)
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text.contains("error: kill.reason: expected a string"))
        let err2 = Pipe()
        let badEndpoint = try TestSupport.launch("MeshCtl", ["tap", "--backend", "bogus://x", "--timeout", "1"],
                                                 endpoints: endpoints, stderr: err2)
        #expect(await TestSupport.waitForExit(badEndpoint, seconds: 10))
        #expect(badEndpoint.terminationStatus == 1)
        #expect(String(decoding: err2.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    .contains("zmq_connect(bogus://x)"))
    }

    /// Runs `ExecSvc` with these arguments, expects it to refuse to start (exit 1), and returns what it wrote on
    /// stderr.
    static func execSvcRefusal(_ arguments: [String], directory: String? = nil) async throws -> String {
        let err = Pipe()
        let exec = try TestSupport.launch("ExecSvc", arguments, endpoints: TestSupport.endpoints(), stderr: err,
                                          directory: directory)
        #expect(await TestSupport.waitForExit(exec, seconds: 10))
        #expect(exec.terminationStatus == 1)
        return String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test func execSvcRefusesLiveMoneyWithoutConfirmation() async throws {
        let text = try await Self.execSvcRefusal(["--broker", "ibkr-live", "--account", "U123"])
        #expect(text.contains("refusing to trade real money with the ibkr-live broker"))
        #expect(text.contains("TRADEMESH_LIVE=I_UNDERSTAND"))
    }

    @Test func execSvcRefusesALiveAccountIdWithThePaperBroker() async throws {
        let text = try await Self.execSvcRefusal(["--broker", "ibkr-paper", "--account", "U1234567"])
        #expect(text.contains("--account must be an IB paper account id"))
        #expect(text.contains("'U1234567'"))
    }

    /// Outside a checkout there is no `config/risk.yaml`: `ExecSvc` takes paper mode (and still guards live money);
    /// a `--risk-config` given explicitly must exist.
    @Test func execSvcRiskConfigDefaultsOutsideTheProject() async throws {
        let directory = "/tmp/trademesh-test/elsewhere-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = try await Self.execSvcRefusal(["--broker", "ibkr-live", "--account", "U123"], directory: directory)
        #expect(text.contains("refusing to trade real money with the ibkr-live broker"))
        #expect(!text.contains("risk.yaml"))

        let missing = directory + "/no-such-risk.yaml"
        #expect(try await Self.execSvcRefusal(["--risk-config", missing], directory: directory).contains(missing))
    }

    @Test func meshConfigUnknownKeyIsAnError() throws {
        let file = "/tmp/trademesh-test/mesh-\(UUID().uuidString.prefix(6)).yaml"
        try FileManager.default.createDirectory(atPath: "/tmp/trademesh-test", withIntermediateDirectories: true)
        try "bus:\n  frontend: ipc:///tmp/a\n  backnd: ipc:///tmp/b\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: MeshError.self) { try MeshEndpoints.load(path: file, environment: [:]) }
        do {
            _ = try MeshEndpoints.load(path: file, environment: [:])
        } catch {
            #expect("\(error)".contains("bus.backnd: unknown key"))
        }
        let e = try MeshEndpoints.load(path: nil, environment: ["TRADEMESH_BUS_BACKEND": "tcp://127.0.0.1:5999"])
        #expect(e.backend == "tcp://127.0.0.1:5999")
        #expect(e.frontend == MeshEndpoints.defaultFrontend)
    }
}

/// pyzmq clients that know only docs/wire.md.
@Suite(.timeLimit(.minutes(1))) struct PythonInteropTests {
    static var python: String {
        if let p = ProcessInfo.processInfo.environment["TRADEMESH_PYTHON"], !p.isEmpty { return p }
        return TestSupport.packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    static func requirePyzmq() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import zmq"]
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch {
            Issue.record("no Python at \(python): run `python3 -m venv .venv && .venv/bin/pip install pyzmq`")
            throw error
        }
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            Issue.record("pyzmq is missing: run `python3 -m venv .venv && .venv/bin/pip install pyzmq`")
            throw MeshError.config("pyzmq missing")
        }
    }

    static func script(_ name: String) -> String {
        TestSupport.packageRoot.appendingPathComponent("Tests/interop/\(name)").path
    }

    @Test func pythonDecodesEveryTypeSwiftPublishes() async throws {
        try Self.requirePyzmq()
        let endpoints = TestSupport.endpoints()
        let proxy = try BusProxy(endpoints: endpoints, logger: TestSupport.logger)
        try proxy.start()
        defer { proxy.stop() }
        let readyFile = "/tmp/trademesh-test/py-ready-\(UUID().uuidString.prefix(6))"
        let py = Process()
        py.executableURL = URL(fileURLWithPath: Self.python)
        py.arguments = [Self.script("subscriber.py"), endpoints.backend, "\(Samples.messages.count)", "20", readyFile]
        let out = Pipe()
        py.standardOutput = out
        try py.run()
        let probe = BusConnection(source: "probe", endpoints: endpoints, subscriptions: [], logger: TestSupport.logger)
        try probe.start()
        // Probe until the Python subscriber has received one: its subscription is then live.
        #expect(await TestSupport.eventually(seconds: 30) {
            probe.publish(topic: "probe.x", message: .kill(reason: "probe", flatten: false), tsEvent: 0, tsInit: 0)
            return FileManager.default.fileExists(atPath: readyFile)
        })
        await probe.shutdown()
        let bus = BusConnection(source: "swift", endpoints: endpoints, subscriptions: [], logger: TestSupport.logger)
        try bus.start()
        defer { bus.stop() }
        for i in Samples.messages.indices {
            let e = Samples.envelope(i)
            bus.publish(topic: e.topic, message: e.message, tsEvent: e.tsEvent, tsInit: e.tsInit)
        }
        #expect(await TestSupport.waitForExit(py, seconds: 20))
        #expect(py.terminationStatus == 0)
        let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(lines.count == Samples.messages.count)
        // Python's decode (sorted keys) must carry the same fields and values as Swift's JSON line.
        for (i, line) in lines.enumerated() where i < Samples.messages.count {
            let e = Samples.envelope(i)
            let swift = try JSONSerialization.jsonObject(with: Data(EnvelopeJSON.line(
                Envelope(topic: e.topic, source: "swift", seq: 1, tsEvent: e.tsEvent, tsInit: e.tsInit,
                         message: e.message)).utf8)) as! NSDictionary
            let python = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary
            #expect(swift == python, "\(line)")
        }
    }

    @Test func tapShowsWhatPythonPublishes() async throws {
        try Self.requirePyzmq()
        let endpoints = TestSupport.endpoints()
        let proxy = try TestSupport.launch("MeshCtl", ["proxy"], endpoints: endpoints)
        defer { proxy.terminate() }
        let out = Pipe()
        let tap = try TestSupport.launch("MeshCtl", ["tap", "ctl.", "--count", "1", "--timeout", "20"],
                                         endpoints: endpoints, stdout: out)
        let py = Process()
        py.executableURL = URL(fileURLWithPath: Self.python)
        py.arguments = [Self.script("publisher.py"), endpoints.frontend, "from python"]
        try py.run()
        #expect(await TestSupport.waitForExit(tap, seconds: 20))
        #expect(tap.terminationStatus == 0)
        #expect(await TestSupport.waitForExit(py, seconds: 5))
        let line = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(line == #"{"topic":"ctl.kill","type":"kill","seq":3,"source":"pyzmq","ts_event":0,"ts_init":0,"reason":"from python","flatten":true}"#
                + "\n")
    }
}
