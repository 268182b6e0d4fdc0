import Foundation
import Testing
import TestSupport
@testable import MeshCLI
@testable import MeshKit

/// The compose file as `MeshCtl up` reads it: services, start/stop order, local layout, errors naming file and key.
@Suite struct ComposeFileTests {
    static let repositoryCompose = TestSupport.packageRoot.appendingPathComponent("compose/compose.yaml").path

    @Test func substitutesVariablesAsDockerComposeDoes() throws {
        let env = ["SET": "x", "EMPTY": ""]
        let cases: [(String, String)] = [
            ("a ${SET} b", "a x b"), ("${UNSET:-d}", "d"), ("${EMPTY:-d}", "d"), ("${EMPTY-d}", ""),
            ("${UNSET-d}", "d"), ("$SET/$$SET", "x/$SET"), ("${UNSET}", ""), ("cost $5", "cost $5"),
        ]
        for (text, expected) in cases {
            #expect(try ComposeInterpolation.apply(text, environment: env, file: "f") == expected, "\(text)")
        }
        #expect(throws: ComposeError.self) { try ComposeInterpolation.apply("a\n${OPEN", environment: [:], file: "f") }
        do {
            _ = try ComposeInterpolation.apply("a\n${1BAD}", environment: [:], file: "f.yaml")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("f.yaml:2: ${1BAD}: not a variable name"), "\(error)")
        }
    }

    @Test func readsTheRepositoryComposeFile() throws {
        let file = try ComposeFile.load(path: Self.repositoryCompose, environment: [:])
        #expect(file.hints.project == "trademesh")
        let commands = Dictionary(uniqueKeysWithValues: file.services.map { ($0.name, $0.command.joined(separator: " ")) })
        #expect(commands == [
            "bus": "MeshCtl proxy",
            "data": "DataSvc live --config config/paper.yaml --speed 36000",
            "predict": "PredictSvc serve --config config/paper.yaml",
            "strategy": "StrategySvc --config config/paper.yaml",
            "exec": "ExecSvc --config config/paper.yaml --out results/paper --live-log results/paper/live.log "
                + "--journal-dir results/paper/journals",
        ])
        // The same substitutions docker compose makes, from the environment.
        let fast = try ComposeFile.load(path: Self.repositoryCompose,
                                        environment: ["TRADEMESH_SPEED": "360000", "TRADEMESH_CONFIG": ""])
        #expect(fast.services.first { $0.name == "data" }?.command.joined(separator: " ")
                == "DataSvc live --config config/paper.yaml --speed 360000")
        #expect(try file.startOrder().map(\.name) == ["bus", "exec", "strategy", "predict", "data"])
        #expect(try file.stopOrder().map(\.name) == ["data", "predict", "strategy", "exec", "bus"])
        let exec = try #require(file.services.first { $0.name == "exec" })
        #expect(exec.stopGracePeriod == .seconds(20))
        #expect(exec.environment.map(\.key) == ["TRADEMESH_BUS_FRONTEND", "TRADEMESH_BUS_BACKEND"])
        #expect(exec.environment.first?.value == "tcp://bus:5555")
        let bus = try #require(file.services.first { $0.name == "bus" })
        #expect(bus.environment.map(\.value) == ["tcp://*:5555", "tcp://*:5556"])

        let layout = ComposeLocalLayout(compose: file)
        #expect(layout.project == "trademesh")
        #expect(layout.projectDirectory == TestSupport.packageRoot.standardizedFileURL.path)
        #expect(layout.runDirectory == "/tmp/trademesh/trademesh")
        #expect(layout.frontend == "ipc:///tmp/trademesh/trademesh/bus-in.ipc")
        #expect(layout.backend == "ipc:///tmp/trademesh/trademesh/bus-out.ipc")
    }

    @Test func startOrderFollowsDependenciesThenFileOrder() throws {
        let file = try ComposeFile.parse(yaml: """
            services:
              z:
                command: [Z]
                depends_on: {b: {condition: service_started}, a: {condition: service_started}}
              b:
                command: B --flag "two words" 'x y'
                depends_on: [a]
              a:
                command: A
              c:
                command: C
            """, file: "t.yaml")
        #expect(try file.startOrder().map(\.name) == ["a", "b", "z", "c"])
        #expect(try file.stopOrder().map(\.name) == ["c", "z", "b", "a"])
        #expect(file.services[1].command == ["B", "--flag", "two words", "x y"])
        #expect(file.services[0].dependsOn == ["b", "a"])
    }

    @Test func environmentAsMappingOrList() throws {
        let file = try ComposeFile.parse(yaml: """
            name: My Mesh
            services:
              one:
                command: ["Svc", "--speed", 3600]
                environment: {A: 1, B: true, C: "x=y"}
              two:
                command: Svc
                environment: ["A=1", "EMPTY=", "C=x=y"]
                stop_grace_period: 1m30s
            """, file: "t.yaml")
        #expect(file.services[0].command == ["Svc", "--speed", "3600"])
        #expect(file.services[0].environment.map { "\($0.key)=\($0.value)" } == ["A=1", "B=true", "C=x=y"])
        #expect(file.services[1].environment.map { "\($0.key)=\($0.value)" } == ["A=1", "EMPTY=", "C=x=y"])
        #expect(file.services[1].stopGracePeriod == .seconds(90))
        #expect(ComposeLocalLayout(compose: file).project == "my-mesh")
    }

    @Test(arguments: [
        ("", "t.yaml: expected a mapping with a `services:` section"),
        ("services: [a, b]", "t.yaml: services: expected a mapping of service names to services"),
        ("version: '3'", "t.yaml: services: missing or empty"),
        ("services: {}", "t.yaml: services: missing or empty"),
        ("services:\n  a: 5", "t.yaml: services.a: expected a mapping"),
        ("services:\n  a: {image: x}", "t.yaml: services.a.command: missing"),
        ("services:\n  a: {command: {x: 1}}", "t.yaml: services.a.command: expected a string or a list of strings"),
        ("services:\n  a: {command: [X, [1]]}", "t.yaml: services.a.command: expected a string or a list of strings"),
        ("services:\n  a: {command: []}", "t.yaml: services.a.command: is empty"),
        ("services:\n  a: {command: \"X 'y\"}", "t.yaml: services.a.command: unterminated ' quote"),
        ("services:\n  a: {command: X, environment: 5}", "t.yaml: services.a.environment: expected a mapping or a list"),
        ("services:\n  a: {command: X, environment: {A: [1]}}", "t.yaml: services.a.environment.A: expected a string"),
        ("services:\n  a: {command: X, environment: [NOEQUALS]}", "t.yaml: services.a.environment: expected NAME=VALUE"),
        ("services:\n  a: {command: X, depends_on: b}", "t.yaml: services.a.depends_on: expected a list of service names"),
        ("services:\n  a: {command: X, depends_on: [b]}", "t.yaml: services.a.depends_on: unknown service 'b' (known: a)"),
        ("services:\n  a: {command: X, depends_on: [a]}", "t.yaml: services.a.depends_on: a service cannot depend on itself"),
        ("services:\n  a: {command: X, depends_on: [b]}\n  b: {command: X, depends_on: [a]}",
         "t.yaml: services: depends_on forms a cycle among a, b"),
        ("services:\n  a: {command: X, stop_grace_period: soon}", "t.yaml: services.a.stop_grace_period: expected a duration"),
        ("x-trademesh: {port: 1}\nservices:\n  a: {command: X}", "t.yaml: x-trademesh.port: unknown key"),
        ("x-trademesh: {frontend: 'http://x'}\nservices:\n  a: {command: X}",
         "t.yaml: x-trademesh.frontend: expected an ipc:// or tcp:// endpoint"),
        ("services: [unclosed", "t.yaml: not valid YAML"),
    ])
    func badComposeFilesNameTheFileAndKey(yaml: String, message: String) {
        #expect {
            try ComposeFile.parse(yaml: yaml, file: "t.yaml")
        } throws: { error in
            (error as? ComposeError)?.description.hasPrefix(message) == true
        }
    }

    @Test func missingFileIsAnError() {
        #expect(throws: ComposeError.self) { try ComposeFile.load(path: "/nonexistent/compose.yaml") }
    }

    @Test func localPlanRewritesTheBusAndResolvesExecutables() throws {
        let file = try ComposeFile.parse(yaml: """
            x-trademesh: {frontend: "ipc://{run_dir}/in.ipc"}
            services:
              bus:
                command: MeshCtl proxy
                environment: {TRADEMESH_BUS_FRONTEND: "tcp://*:5555", OTHER: kept}
              exec:
                command: ExecSvc
                depends_on: [bus]
            """, file: "/projects/demo/compose/compose.yaml")
        let layout = ComposeLocalLayout(compose: file, runDirectory: "/tmp/trademesh-test/plan")
        #expect(layout.projectDirectory == "/projects/demo")
        #expect(layout.project == "demo")
        let bin = TestSupport.binDirectory.path
        let plan = try ComposeLocalPlan(compose: file, layout: layout, binDirectory: bin,
                                        inheritedEnvironment: ["HOME": "/root", "OTHER": "inherited"])
        #expect(plan.launches.map(\.name) == ["bus", "exec"])
        #expect(plan.launches[0].executable == TestSupport.executable("MeshCtl"))
        #expect(plan.launches[0].arguments == ["proxy"])
        #expect(plan.launches[0].environment == [
            "HOME": "/root", "OTHER": "kept",
            "TRADEMESH_BUS_FRONTEND": "ipc:///tmp/trademesh-test/plan/in.ipc",
            "TRADEMESH_BUS_BACKEND": "ipc:///tmp/trademesh-test/plan/bus-out.ipc",
        ])
        #expect(plan.launches[1].environment["OTHER"] == "inherited")

        #expect {
            try ComposeLocalPlan(compose: file, layout: layout, binDirectory: "/nonexistent",
                                 inheritedEnvironment: [:])
        } throws: { error in
            "\(error)".hasPrefix("/projects/demo/compose/compose.yaml: services.bus.command: executable 'MeshCtl' "
                                 + "not found (looked for /nonexistent/MeshCtl")
        }
    }

    @Test func shellWordsAndDurations() throws {
        #expect(try ShellWords.split(#"  a  "b c" 'd \e' f\ g "h\"i" "#) == ["a", "b c", #"d \e"#, "f g", #"h"i"#])
        #expect(try ShellWords.split(#"x "" y"#) == ["x", "", "y"])
        #expect(ComposeFile.parseDuration("10s") == .seconds(10))
        #expect(ComposeFile.parseDuration("1m30s") == .seconds(90))
        #expect(ComposeFile.parseDuration("500ms") == .milliseconds(500))
        #expect(ComposeFile.parseDuration("1.5s") == .milliseconds(1500))
        #expect(ComposeFile.parseDuration("1h") == .seconds(3600))
        #expect(ComposeFile.parseDuration("10") == nil)
        #expect(ComposeFile.parseDuration("s") == nil)
        #expect(ComposeFile.parseDuration("") == nil)
    }

    @Test func stateFileRoundTrips() throws {
        let file = try ComposeFile.parse(yaml: "services:\n  a: {command: X}", file: "/p/compose/c.yaml")
        let layout = ComposeLocalLayout(compose: file, runDirectory: "/tmp/trademesh-test/state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: layout.runDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: layout.runDirectory) }
        let state = ComposeState(layout: layout, detached: true, supervisorPid: 42,
                                 supervisorExecutable: "/bin/MeshCtl", services: [
            .init(name: "a", pid: 43, executable: "/bin/X", log: layout.logDirectory + "/a.log", stopGraceSeconds: 2),
        ])
        try state.write(to: layout.stateFile)
        #expect(try ComposeState.read(from: layout.stateFile) == state)
        #expect(try ComposeState.read(from: layout.runDirectory + "/none.json") == nil)
        try "garbage".write(toFile: layout.stateFile, atomically: true, encoding: .utf8)
        #expect(throws: ComposeError.self) { try ComposeState.read(from: layout.stateFile) }
    }

    @Test func statusBoardTable() {
        var board = StatusBoard()
        let t0: UInt64 = 1_000_000_000
        func envelope(_ m: MeshMessage, _ topic: String) -> Envelope {
            Envelope(topic: topic, source: "x", seq: 1, tsEvent: 0, tsInit: 0, message: m)
        }
        board.record(envelope(.heartbeat(Heartbeat(service: "StrategySvc", messagesIn: 1200, messagesOut: 600,
                                                   dropped: 3, gaps: 1, lastSeq: 599)), Topic.heartbeat), at: t0)
        board.record(envelope(.ready(service: "DataSvc", topics: ["ctl."]), Topic.ready), at: t0)
        board.record(envelope(.kill(reason: "x", flatten: false), Topic.kill), at: t0)
        #expect(board.heartbeatCount == 1)
        #expect(board.render(now: t0 + 1_300_000_000) == [
            "SERVICE      HEARTBEAT          IN  OUT  DROPPED  GAPS  LAST SEQ",
            "DataSvc      ready, none yet     -    -        -     -         -",
            "StrategySvc  1.3s ago         1200  600        3     1       599",
        ])
        #expect(StatusBoard.age(nanoseconds: 125_000_000_000) == "2m5s ago")
    }
}
