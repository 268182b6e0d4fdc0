import ArgumentParser
import Foundation
import MeshKit
import TradingCore

#if canImport(Glibc)
import Glibc
#endif

/// `MeshCtl down [COMPOSE]`: stops a mesh started by `MeshCtl up`, last service first.
public struct DownCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop the services a `MeshCtl up` started, in reverse start order.",
        discussion: """
            Reads the state file in the project's run directory. A detached mesh is stopped service by service \
            (SIGTERM, then SIGKILL after --timeout or the service's stop_grace_period); a mesh running in the \
            foreground is stopped through its `MeshCtl up`, which stops the services in the same order. \
            Processes that joined the session's bus by hand (a service restarted outside `up`, registered beside \
            the ipc frontend) are stopped first, the same way. Exit status 1 when no mesh is recorded for the project.
            """)

    @OptionGroup public var project: ComposeOptions

    @OptionGroup public var stop: ComposeStopOptions

    public init() {}

    public func run() async throws {
        try await failing {
            let (_, layout) = try project.load()
            guard let state = try project.runningState(layout) else {
                throw ComposeError("no mesh is running for project \(layout.project) (no state file at \(layout.stateFile))")
            }
            let grace = try stop.grace().inSeconds
            stopJoinedByHand(state, grace: grace)
            let supervisorRuns = { ComposeStopper.isRunning(pid: state.supervisorPid, executable: state.supervisorExecutable) }
            if !state.detached, supervisorRuns() {
                say("stopping the foreground MeshCtl up (pid \(state.supervisorPid))")
                let total = state.services.reduce(5.0) { $0 + ($1.stopGraceSeconds ?? grace) }
                let killed = ComposeStopper.stop(pid: state.supervisorPid, grace: .milliseconds(Int(total * 1000))) {
                    !supervisorRuns()
                }
                if killed { say("MeshCtl up did not stop in \(Int(total)) s and was killed") }
            }
            for entry in state.services.reversed() {
                guard ComposeStopper.isRunning(pid: entry.pid, executable: entry.executable) else {
                    say("\(entry.name) is not running")
                    continue
                }
                let seconds = entry.stopGraceSeconds ?? grace
                say("stopping \(entry.name) (pid \(entry.pid))")
                let killed = ComposeStopper.stop(pid: entry.pid, grace: .milliseconds(Int(seconds * 1000))) {
                    !ComposeStopper.isRunning(pid: entry.pid, executable: entry.executable)
                }
                say(killed ? "\(entry.name) killed after \(seconds) s (it ignored SIGTERM)" : "\(entry.name) stopped")
            }
            try? FileManager.default.removeItem(atPath: layout.stateFile)
            say("project \(layout.project) is down")
        }
    }

    /// Stops the live processes registered on the session's bus (`SessionMembers`) that `up` did not start — a
    /// service restarted by hand — and clears the registrations of processes that died.
    private func stopJoinedByHand(_ state: ComposeState, grace: Double) {
        let recorded = Set(state.services.map(\.pid) + [state.supervisorPid, getpid()])
        for member in SessionMembers.list(frontend: state.frontend) {
            let alive = { ComposeStopper.isRunning(pid: member.pid, executable: member.executable) }
            guard !recorded.contains(member.pid) else { continue }
            guard alive() else {
                SessionMembers.remove(member, frontend: state.frontend)
                continue
            }
            say("stopping \(member.name) (pid \(member.pid), joined the session by hand)")
            let killed = ComposeStopper.stop(pid: member.pid, grace: .milliseconds(Int(grace * 1000))) { !alive() }
            say(killed ? "\(member.name) killed after \(grace) s (it ignored SIGTERM)" : "\(member.name) stopped")
            SessionMembers.remove(member, frontend: state.frontend)
        }
    }

    private func say(_ text: String) { ComposeReport.say("down", text) }
}
