import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A mesh service run as a child process of this one, its stderr kept in a log file.
public final class LocalProcess: Sendable {
    public let name: String
    public let logPath: String
    public let outputPath: String
    private let process = Process()

    /// - Parameters:
    ///   - executable: path of the binary.
    ///   - logDirectory: where `<name>.log` (stderr) and `<name>.out` (stdout) go.
    public init(name: String, executable: String, arguments: [String], environment: [String: String],
                logDirectory: String) throws {
        self.name = name
        logPath = logDirectory + "/" + name + ".log"
        outputPath = logDirectory + "/" + name + ".out"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationErrorText("\(executable): no such executable (build the package first: swift build)")
        }
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        for file in [logPath, outputPath] where !FileManager.default.createFile(atPath: file, contents: nil) {
            throw ValidationErrorText("\(file): cannot be created for \(name)'s output (\(String(cString: strerror(errno))))")
        }
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardInput = FileHandle.nullDevice
    }

    public func start() throws { try process.run() }

    public var isRunning: Bool { process.isRunning }
    public var pid: Int32 { process.processIdentifier }

    /// How it ended, once it has: "exited with status N" or "was killed by signal N".
    public var exit: (success: Bool, description: String)? {
        guard !process.isRunning else { return nil }
        switch process.terminationReason {
        case .exit:
            let status = process.terminationStatus
            return (status == 0, "exited with status \(status)")
        case .uncaughtSignal:
            return (false, "was killed by signal \(process.terminationStatus)")
        @unknown default:
            return (false, "ended")
        }
    }

    /// SIGTERM, then SIGKILL if it is still running after `grace`.
    public func stop(grace: TimeInterval = 2) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// CPU time (user, system) it has used so far, in seconds, from /proc; nil once it has exited.
    public func cpuSeconds() -> (user: Double, system: Double)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user / ticks, system / ticks)
    }

    /// The last `lines` lines of its stderr.
    public func logTail(lines: Int = 8) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
            .map { "  \(name) | \($0)" }.joined(separator: "\n")
    }

    /// Everything it wrote to stdout.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
}

/// An error that is only a message.
public struct ValidationErrorText: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
