import Foundation
import TradingCore

/// The live metrics log of a session: each bar's line goes to stdout and is appended (and flushed) to a file, so
/// a crash loses at most the line being written.
public final class LiveMetricsLog: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    public init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) {
            throw ValidationErrorText("--live-log \(path): cannot be created (\(String(cString: strerror(errno))))")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationErrorText("--live-log \(path): cannot be opened for appending")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    public func append(_ report: BarReport) {
        let line = report.line + "\n"
        lock.withLock {
            FileHandle.standardOutput.write(Data(line.utf8))
            handle.write(Data(line.utf8))
        }
    }
}
