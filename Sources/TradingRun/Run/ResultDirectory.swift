import TradingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a run's result files are written so that a failed run never leaves a directory that looks complete.
///
/// The files are written into a hidden staging directory (`.partial-XXXXXX`) and moved into place only once
/// all of them are written: with a new output directory, the staging directory sits beside it and is renamed to
/// it; with an existing one, it sits inside it (so on the same file system even when the directory is a mount
/// point) and each file is renamed over its older copy. A write that fails removes the staging directory and
/// leaves the output directory as it was.
public struct ResultDirectory: Sendable {
    /// Result files of an earlier run that this run's files replace or, when this run has none, remove (a stale
    /// `risk.csv` would otherwise sit beside results made without risk rules).
    public static let resultFiles = ["trades.csv", "equity.csv", "metrics.json", "run.json", "risk.csv", "report.html"]

    /// The output directory the files end up in.
    public let target: String
    /// The staging directory to write the files into.
    public let staging: String
    private let targetExisted: Bool

    /// Creates the staging directory for `target` (and `target`'s parent directories when they are missing).
    public init(target: String) throws(FileBytes.FileError) {
        var info = stat()
        if stat(target, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw FileBytes.FileError(description: "\(target): exists and is not a directory")
            }
            targetExisted = true
            staging = try Self.makeTemporaryDirectory(target + "/.partial-XXXXXX", for: target)
        } else {
            targetExisted = false
            let parent = Self.parent(of: target)
            try FileBytes.makeDirectory(parent)
            staging = try Self.makeTemporaryDirectory(parent + "/." + Self.name(of: target) + ".partial-XXXXXX",
                                                      for: target)
        }
        self.target = target
    }

    /// Writes the files with `body` into `staging`, then moves them into `target`; on any failure the staging
    /// directory is removed, `target` is left as it was, and the error says why and where.
    public static func write<T>(to target: String, _ body: (_ staging: String) throws -> T) throws -> T {
        let directory = try ResultDirectory(target: target)
        let value: T
        do {
            value = try body(directory.staging)
            try directory.commit()
        } catch {
            directory.discard()
            throw FileBytes.FileError(description: "cannot write the results to \(target): \(error); "
                                          + "nothing was written there")
        }
        return value
    }

    /// Moves the written files into `target`.
    public func commit() throws(FileBytes.FileError) {
        if !targetExisted {
            guard rename(staging, target) == 0 else {
                throw FileBytes.FileError(description: "\(target): cannot rename \(staging) to it ("
                                              + FileBytes.reason(errno) + ")")
            }
            return
        }
        let written = Self.entries(of: staging)
        for name in written {
            guard rename(staging + "/" + name, target + "/" + name) == 0 else {
                throw FileBytes.FileError(description: "\(target)/\(name): cannot move it into place ("
                                              + FileBytes.reason(errno) + ")")
            }
        }
        for name in Self.resultFiles where !written.contains(name) { unlink(target + "/" + name) }
        rmdir(staging)
    }

    /// Removes the staging directory and whatever was written into it.
    public func discard() {
        for name in Self.entries(of: staging) { unlink(staging + "/" + name) }
        rmdir(staging)
    }

    private static func makeTemporaryDirectory(_ template: String, for target: String) throws(FileBytes.FileError)
        -> String
    {
        var bytes = Array(template.utf8CString)
        let made = bytes.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw FileBytes.FileError(description: "\(target): cannot create a directory for the results beside it ("
                                          + FileBytes.reason(errno) + ")")
        }
        return String(decoding: bytes.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The names in a directory, without `.` and `..`.
    private static func entries(of path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func parent(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    private static func name(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}
