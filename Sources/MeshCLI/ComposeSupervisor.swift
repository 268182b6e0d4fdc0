import Foundation
import Synchronization
import MeshKit
import TradingCore

#if canImport(Glibc)
import Glibc
#endif

/// What the supervisor of a local mesh waits for.
enum ComposeEvent: Sendable, Equatable {
    case signal(Int32)
    /// `signalled`: `status` is the signal that killed the process.
    case exited(name: String, status: Int32, signalled: Bool)
}

/// A blocking queue of events, fed by process termination handlers and the signal pipe.
/// (`@unchecked Sendable` over an `NSCondition`: the synchronous supervisor blocks in `next(seconds:)`, which needs a
/// condition variable; `Mutex` has none.)
final class ComposeEventQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [ComposeEvent] = []

    func post(_ event: ComposeEvent) {
        condition.lock()
        items.append(event)
        condition.signal()
        condition.unlock()
    }

    /// Removes the pending signal events; true if there was one.
    func takeSignal() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let before = items.count
        items.removeAll { if case .signal = $0 { true } else { false } }
        return items.count != before
    }

    /// The next event, or nil when `seconds` pass first (nil `seconds`: wait forever).
    func next(seconds: Double? = nil) -> ComposeEvent? {
        let deadline = seconds.map { Date().addingTimeInterval($0) }
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty {
            if let deadline {
                if !condition.wait(until: deadline) && items.isEmpty { return nil }
            } else {
                condition.wait()
            }
        }
        return items.removeFirst()
    }
}

/// The write end of the self-pipe the SIGINT/SIGTERM handler writes to (set once, before the handler is installed).
nonisolated(unsafe) private var composeSignalPipeWrite: Int32 = -1

private func composeSignalHandler(_ signo: Int32) {
    var byte = UInt8(truncatingIfNeeded: signo)
    _ = write(composeSignalPipeWrite, &byte, 1)
}

/// Turns SIGINT and SIGTERM into `ComposeEvent.signal`.
///
/// A real handler (not `SIG_IGN`) is installed on purpose: handled signals are reset to their default in the
/// children at exec, ignored ones would stay ignored, and the services must die of SIGTERM if they do not handle it.
enum ComposeSignals {
    static func forward(to queue: ComposeEventQueue) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        composeSignalPipeWrite = fds[1]
        let readEnd = fds[0]
        let reader = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 { queue.post(.signal(Int32(byte))) } else if n < 0 && errno == EINTR { continue } else { return }
            }
        }
        reader.start()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = composeSignalHandler
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }
}

/// Copies each service's output to standard output, one line at a time, prefixed with the service name.
final class ComposeLogPrinter: Sendable {
    /// Standard output, one service's lines at a time.
    private let output = Mutex(FileHandle.standardOutput)
    private let width: Int
    private let colour: Bool
    private let readers = DispatchGroup()
    private static let palette = ["36", "33", "32", "35", "34", "96", "93", "92", "95", "94"]

    init(names: [String], colour: Bool) {
        width = names.map(\.count).max() ?? 0
        self.colour = colour
    }

    /// Reads `handle` on its own thread until end of file.
    func pump(name: String, index: Int, from handle: FileHandle) {
        let pad = String(repeating: " ", count: max(0, width - name.count))
        let label = colour
            ? "\u{1B}[\(Self.palette[index % Self.palette.count])m\(name)\(pad) |\u{1B}[0m "
            : "\(name)\(pad) | "
        let prefix = Array(label.utf8)
        readers.enter()
        let thread = Thread { [self] in
            var pending: [UInt8] = []
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                pending.append(contentsOf: chunk)
                guard let lastNewline = pending.lastIndex(of: 10) else { continue }
                emit(prefix, pending[...lastNewline])
                pending.removeSubrange(...lastNewline)
            }
            if !pending.isEmpty { emit(prefix, pending[...] + [10]) }
            readers.leave()
        }
        thread.start()
    }

    private func emit(_ prefix: [UInt8], _ text: ArraySlice<UInt8>) {
        var out: [UInt8] = []
        for line in text.split(separator: 10, omittingEmptySubsequences: false).dropLast() {
            out += prefix
            out += line
            out.append(10)
        }
        output.withLock { $0.write(Data(out)) }
    }

    /// Waits until every pumped stream has ended (or `seconds` pass).
    func drain(seconds: Double) {
        _ = readers.wait(timeout: .now() + seconds)
    }
}

/// One running service.
final class ComposeChild: Sendable {
    let launch: ComposeLaunch
    let process: Process
    let log: String?

    init(launch: ComposeLaunch, process: Process, log: String?) {
        self.launch = launch
        self.process = process
        self.log = log
    }

    var pid: Int32 { process.processIdentifier }
}

/// Starts the services of a plan as child processes and stops them in reverse order.
final class ComposeSupervisor {
    let plan: ComposeLocalPlan
    let events: ComposeEventQueue
    private let defaultGrace: Duration
    private(set) var children: [ComposeChild] = []

    init(plan: ComposeLocalPlan, events: ComposeEventQueue, defaultGrace: Duration) {
        self.plan = plan
        self.events = events
        self.defaultGrace = defaultGrace
    }

    /// Starts one service. Its output goes to `printer` (foreground) or to a log file in the run directory.
    func start(_ launch: ComposeLaunch, index: Int, printer: ComposeLogPrinter?) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: launch.executable)
        p.arguments = launch.arguments
        p.environment = launch.environment
        p.currentDirectoryURL = URL(fileURLWithPath: plan.layout.projectDirectory, isDirectory: true)
        p.standardInput = FileHandle.nullDevice
        var logPath: String?
        var pipe: Pipe?
        if printer != nil {
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            pipe = out
        } else {
            let path = plan.layout.logDirectory + "/\(launch.name).log"
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw ComposeError("\(path): cannot create the log file")
            }
            p.standardOutput = handle
            p.standardError = handle
            logPath = path
        }
        let events = self.events
        let name = launch.name
        p.terminationHandler = { process in
            events.post(.exited(name: name, status: process.terminationStatus,
                                signalled: process.terminationReason == .uncaughtSignal))
        }
        do {
            // The child inherits the spawning thread's signal mask, and Swift's worker threads block nearly every
            // signal: spawn with an empty mask so that SIGTERM reaches services that do not handle it themselves.
            var empty = sigset_t()
            var saved = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, &saved)
            defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
            try p.run()
        } catch {
            throw ComposeError("\(plan.layout.composePath): services.\(name): cannot start "
                               + "\(launch.executable): \(error)")
        }
        if let pipe, let printer {
            printer.pump(name: name, index: index, from: pipe.fileHandleForReading)
        }
        children.append(ComposeChild(launch: launch, process: p, log: logPath))
    }

    /// Stops every running child, last started first: SIGTERM, then SIGKILL after the service's grace period.
    /// A second SIGINT/SIGTERM meanwhile cuts every remaining grace period short (SIGKILL at once).
    /// Reports each on `report`.
    func stopAll(report: (String) -> Void) {
        var hurry = false
        for child in children.reversed() {
            guard child.process.isRunning else {
                let p = child.process
                if p.terminationReason == .uncaughtSignal || p.terminationStatus != 0 {
                    report("\(child.launch.name) had already stopped: it \(ComposeStopper.describe(p))")
                }
                continue
            }
            let grace = hurry ? .zero : child.launch.stopGracePeriod ?? defaultGrace
            report("stopping \(child.launch.name)")
            let killed = ComposeStopper.stop(pid: child.pid, grace: grace) {
                if !hurry, events.takeSignal() {
                    hurry = true
                    report("second signal: killing the remaining services")
                    return true
                }
                return !child.process.isRunning
            }
            child.process.waitUntilExit()
            let how = killed ? "was killed (\(hurry ? "second signal" : "still running \(grace) after SIGTERM"))"
                             : ComposeStopper.describe(child.process)
            report("\(child.launch.name) \(how)")
        }
    }

    func state(detached: Bool) -> ComposeState {
        ComposeState(layout: plan.layout, detached: detached, supervisorPid: getpid(),
                     supervisorExecutable: ComposeReport.ownExecutable(), services: children.map {
            ComposeState.Entry(name: $0.launch.name, pid: $0.pid, executable: $0.launch.executable, log: $0.log,
                               stopGraceSeconds: $0.launch.stopGracePeriod.map(\.inSeconds))
        })
    }
}

/// Stopping a process by pid: SIGTERM, wait, SIGKILL.
enum ComposeStopper {
    /// Returns true when SIGKILL was needed. `done` returning true ends the grace period: the process has exited,
    /// or (when it is still running) it must be killed now.
    static func stop(pid: Int32, grace: Duration, done: () -> Bool) -> Bool {
        kill(pid, SIGTERM)
        if waitUntil(seconds: grace.inSeconds, done), !isRunning(pid: pid, executable: "") { return false }
        kill(pid, SIGKILL)
        _ = waitUntil(seconds: 5) { !isRunning(pid: pid, executable: "") }
        return true
    }

    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    static func describe(_ p: Process) -> String {
        p.terminationReason == .uncaughtSignal
            ? "was killed by signal \(p.terminationStatus)" : "exited with status \(p.terminationStatus)"
    }

    /// Whether `pid` is alive and still runs `executable` (a recycled pid is not ours to kill).
    static func isRunning(pid: Int32, executable: String) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        let proc = "/proc/\(pid)"
        guard FileManager.default.fileExists(atPath: proc) else { return true }
        if let stat = try? String(contentsOfFile: proc + "/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return false }
        }
        guard !executable.isEmpty,
              let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: proc + "/exe") else {
            return true
        }
        let expected = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
        return exe == expected || exe == executable
    }
}
