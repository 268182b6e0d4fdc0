import Foundation
import Logging
import MeshKit
import Synchronization

/// What the test suites share: the repository's root, unique ipc endpoints per test, the built executables, and
/// subprocess helpers.
public enum TestSupport {
    /// The repository root (this file is `Tests/TestSupport/TestSupport.swift`).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static func endpoints(heartbeat: Duration = .milliseconds(100)) -> MeshEndpoints {
        let dir = "/tmp/trademesh-test/\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return MeshEndpoints(frontend: "ipc://\(dir)/in.ipc", backend: "ipc://\(dir)/out.ipc",
                             heartbeatInterval: heartbeat)
    }

    public static var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .critical
        return l
    }

    /// The directory holding the package's built executables (beside the test bundle).
    public static var binDirectory: URL {
        var candidate = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if candidate.pathExtension == "xctest" || candidate.lastPathComponent == "MacOS" {
            candidate = candidate.deletingLastPathComponent()
        }
        for dir in [candidate, candidate.deletingLastPathComponent(), packageRoot.appendingPathComponent(".build/debug")] {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("MeshCtl").path) { return dir }
        }
        return candidate
    }

    public static func executable(_ name: String) -> String { binDirectory.appendingPathComponent(name).path }

    /// Starts a built executable with the bus endpoints in its environment.
    public static func launch(_ name: String, _ arguments: [String], endpoints: MeshEndpoints,
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
    public static func waitForExit(_ p: Process, seconds: Double) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while p.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return !p.isRunning
    }

    /// Polls `condition` until it holds or `seconds` pass.
    public static func eventually(seconds: Double = 5, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// Collects what a `BusConnection` delivers.
public final class Collected: Sendable {
    public init() {}
    private let items = Mutex<[BusConnection.Event]>([])

    public func append(_ e: BusConnection.Event) { items.withLock { $0.append(e) } }
    public var events: [BusConnection.Event] { items.withLock { $0 } }
    public var envelopes: [Envelope] {
        events.map { event in
            switch event {
            case .message(let e), .gap(let e, _): e
            }
        }
    }

    /// Consumes a connection's events on a background task.
    public static func consuming(_ bus: BusConnection) -> Collected {
        let c = Collected()
        Task.detached { for await e in bus.events { c.append(e) } }
        return c
    }
}

/// A clock that always reads the same instant.
public struct FixedMeshClock: MeshClock {
    public let nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public func nowNanoseconds() -> Int64 { nanoseconds }
}
