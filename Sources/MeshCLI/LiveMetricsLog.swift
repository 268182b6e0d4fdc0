import Foundation
import Synchronization
import TradingCore

/// The live metrics log of a session: each bar's line goes to stdout and is appended (and flushed) to a file, so
/// a crash loses at most the line being written.
public final class LiveMetricsLog: Sendable {
    /// The file; the mutex also keeps a line on stdout and in the file together.
    private let handle: Mutex<FileHandle>

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
        self.handle = Mutex(handle)
    }

    public func append(_ report: BarReport) {
        let line = report.line + "\n"
        handle.withLock { file in
            FileHandle.standardOutput.write(Data(line.utf8))
            file.write(Data(line.utf8))
        }
    }
}
