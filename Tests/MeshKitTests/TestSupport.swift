import Foundation
import Logging
@testable import MeshKit

/// Unique ipc endpoints per test, built executables, and subprocess helpers.
enum TestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func endpoints(heartbeat: Duration = .milliseconds(100)) -> MeshEndpoints {
        let dir = "/tmp/trademesh-test/\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return MeshEndpoints(frontend: "ipc://\(dir)/in.ipc", backend: "ipc://\(dir)/out.ipc",
                             heartbeatInterval: heartbeat)
    }

    static var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// The directory holding the package's built executables (beside the test bundle).
    static var binDirectory: URL {
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if candidate.pathExtension == "xctest" || candidate.lastPathComponent == "MacOS" {
            candidate = candidate.deletingLastPathComponent()
        }
        for dir in [candidate, candidate.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")] {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("MeshCtl").path) { return dir }
        }
        return candidate
    }

    static func executable(_ name: String) -> String { binDirectory.appendingPathComponent(name).path }

    /// Starts a built executable with the bus endpoints in its environment.
    static func launch(_ name: String, _ arguments: [String], endpoints: MeshEndpoints,
                       stdout: Pipe? = nil, stderr: Pipe? = nil, directory: String? = nil) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable(name))
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["TRADEMESH_BUS_FRONTEND"] = endpoints.frontend
        env["TRADEMESH_BUS_BACKEND"] = endpoints.backend
        env["TRADEMESH_HEARTBEAT_MS"] = "100"
        p.environment = env
        p.standardOutput = stdout ?? FileHandle.nullDevice
        p.standardError = stderr ?? FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Waits for a process to exit, up to `seconds`; returns false if it is still running.
    static func waitForExit(_ p: Process, seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while p.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return !p.isRunning
    }

    /// Polls `condition` until it holds or `seconds` pass.
    static func eventually(seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// Collects what a `BusConnection` delivers.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [BusConnection.Event] = []

    func append(_ e: BusConnection.Event) { lock.lock(); items.append(e); lock.unlock() }
    var events: [BusConnection.Event] { lock.lock(); defer { lock.unlock() }; return items }
    var envelopes: [Envelope] {
        events.map { event in
            switch event {
            case .message(let e), .gap(let e, _): e
            }
        }
    }

    /// Consumes a connection's events on a background task.
    static func consuming(_ bus: BusConnection) -> Collected {
        let c = Collected()
        Task.detached { for await e in bus.events { c.append(e) } }
        return c
    }
}

/// A clock that always reads the same instant.
struct FixedMeshClock: MeshClock {
    let nanoseconds: Int64
    func nowNanoseconds() -> Int64 { nanoseconds }
}
