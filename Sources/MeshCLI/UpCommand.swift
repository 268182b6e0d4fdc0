import ArgumentParser
import Foundation
import MeshKit

#if canImport(Glibc)
import Glibc
#endif

/// `MeshCtl up [COMPOSE]`: runs the services of a compose file as local processes, without Docker.
public struct UpCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run the services of a compose file as local processes (no Docker needed).",
        discussion: """
            Reads the same compose/compose.yaml that docker compose uses and starts each service's `command` with \
            the executables of --bin, in depends_on order, in the project directory, with the service's \
            environment — except the bus endpoints, which become local ipc:// endpoints in the run directory \
            (x-trademesh: frontend/backend to change them). Output lines are prefixed with the service name. \
            SIGINT (Ctrl-C) or SIGTERM stops the services in reverse order (SIGTERM, then SIGKILL after \
            --timeout or the service's stop_grace_period) and exits 0; a second signal kills the rest at once. \
            If a service fails, up names it, stops the others and exits 1. With --detach the services keep running in the background (logs in \
            <run-dir>/logs) until `MeshCtl down`.
            """)

    @OptionGroup public var project: ComposeOptions

    @Flag(name: .shortAndLong, help: "Start the services in the background and return.")
    public var detach = false

    @Option(help: "With --detach: seconds to watch the services for an early failure before returning.")
    public var settle: Double = 1

    @Option(help: "Directory holding the executables (default: this MeshCtl's directory).")
    public var bin: String?

    @OptionGroup public var stop: ComposeStopOptions

    public init() {}

    public func run() async throws {
        try await failing {
            let (file, layout) = try project.load()
            let plan = try ComposeLocalPlan(compose: file, layout: layout, binDirectory: bin ?? ComposeReport.ownDirectory(),
                                            inheritedEnvironment: ProcessInfo.processInfo.environment)
            guard settle >= 0 else { throw ValidationError("--settle must not be negative") }
            let grace = try stop.grace()
            if let state = try project.runningState(layout) {
                if ComposeReport.anyRunning(state) {
                    throw ComposeError("project \(layout.project) is already running (state: \(layout.stateFile)); "
                                       + "stop it with `MeshCtl down \(project.compose ?? ComposeOptions.defaultPath)`")
                }
                try? FileManager.default.removeItem(atPath: layout.stateFile)
            }
            try FileManager.default.createDirectory(atPath: detach ? layout.logDirectory : layout.runDirectory,
                                                    withIntermediateDirectories: true)
            let events = ComposeEventQueue()
            ComposeSignals.forward(to: events)
            let supervisor = ComposeSupervisor(plan: plan, events: events, defaultGrace: grace)
            let code = detach ? try runDetached(supervisor) : try runAttached(supervisor)
            if code != 0 { throw ExitCode(code) }
        }
    }

    private func say(_ text: String) { ComposeReport.say("up", text) }

    /// Foreground: prints the services' output until a signal or a failure.
    private func runAttached(_ supervisor: ComposeSupervisor) throws -> Int32 {
        let plan = supervisor.plan
        let colour = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        let printer = ComposeLogPrinter(names: plan.launches.map(\.name), colour: colour)
        defer { try? FileManager.default.removeItem(atPath: plan.layout.stateFile) }
        var code: Int32 = 0
        var finished: Set<String> = []
        var pending = plan.launches.makeIterator()
        var index = 0
        // Start in order, but handle a signal or a failure that arrives meanwhile.
        var event: ComposeEvent?
        while event == nil, let launch = pending.next() {
            say("starting \(launch.name): \(([launch.executable] + launch.arguments).joined(separator: " "))")
            try supervisor.start(launch, index: index, printer: printer)
            index += 1
            event = supervisor.events.next(seconds: 0)
        }
        try supervisor.state(detached: false).write(to: plan.layout.stateFile)
        if event == nil {
            say("project \(plan.layout.project): \(plan.launches.count) services running; bus frontend "
                + "\(plan.layout.frontend), backend \(plan.layout.backend); Ctrl-C stops them")
        }
        loop: while true {
            let next = event ?? supervisor.events.next()
            event = nil
            switch next {
            case .signal(let signo)?:
                say("received signal \(signo); stopping the services in reverse order")
                break loop
            case .exited(let name, let status, let signalled)?:
                finished.insert(name)
                if status == 0 && !signalled {
                    say("\(name) exited with status 0")
                    if finished.count == supervisor.children.count { break loop }
                    continue
                }
                let how = signalled ? "was killed by signal \(status)" : "exited with status \(status)"
                FileHandle.standardError.write(Data("error: service '\(name)' \(how); stopping the others\n".utf8))
                code = 1
                break loop
            case nil:
                continue
            }
        }
        supervisor.stopAll(report: say)
        printer.drain(seconds: 5)
        say(code == 0 ? "all services stopped" : "all services stopped after the failure of a service")
        return code
    }

    /// Background: starts everything, watches for early failures, records the state and returns.
    private func runDetached(_ supervisor: ComposeSupervisor) throws -> Int32 {
        let plan = supervisor.plan
        var failure: String?
        for (index, launch) in plan.launches.enumerated() {
            try supervisor.start(launch, index: index, printer: nil)
            say("started \(launch.name) (pid \(supervisor.children[index].pid), log \(supervisor.children[index].log ?? "-"))")
        }
        let deadline = Date().addingTimeInterval(settle)
        while failure == nil, case let left = deadline.timeIntervalSinceNow, left > 0 {
            switch supervisor.events.next(seconds: left) {
            case .signal?:
                failure = "interrupted"
            case .exited(let name, let status, let signalled)? where status != 0 || signalled:
                let how = signalled ? "was killed by signal \(status)" : "exited with status \(status)"
                let log = supervisor.children.first { $0.launch.name == name }?.log ?? "-"
                failure = "service '\(name)' \(how) (log: \(log))"
            default:
                continue
            }
        }
        if let failure {
            FileHandle.standardError.write(Data("error: \(failure); stopping the others\n".utf8))
            supervisor.stopAll(report: say)
            return 1
        }
        try supervisor.state(detached: true).write(to: plan.layout.stateFile)
        say("project \(plan.layout.project) running in the background; bus frontend \(plan.layout.frontend), backend "
            + "\(plan.layout.backend); state \(plan.layout.stateFile); stop with "
            + "`MeshCtl down \(project.compose ?? ComposeOptions.defaultPath)`")
        return 0
    }
}
