import TradingCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file-system helpers with errors that name the path.
public enum FileBytes {
    public struct FileError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw FileError(description: "\(path): " + (exists ? "cannot be read" : "no such file"))
        }
        return [UInt8](data)
    }

    /// SHA-256 of a file, read in 1 MiB chunks (the file is never held whole in memory).
    public static func sha256(_ path: String) throws -> String {
        guard let f = fopen(path, "rb") else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw FileError(description: "\(path): " + (exists ? "cannot be read" : "no such file"))
        }
        defer { fclose(f) }
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
            if n < chunk.count {
                if ferror(f) != 0 { throw FileError(description: "\(path): read failed") }
                break
            }
        }
        return hasher.finalizeHex()
    }

    /// Writes `text` to `path` (replacing it); an error names the path and the system's reason, e.g.
    /// `out/metrics.json: write failed (No space left on device)`.
    public static func write(_ text: String, to path: String) throws {
        let writer = try TextFileWriter(path: path)
        writer.append(text)
        try writer.close()
    }

    /// Creates `path` and any missing parent directories.
    public static func makeDirectory(_ path: String) throws(FileError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            prefix += part
            if mkdir(prefix, 0o755) != 0 {
                let code = errno
                var info = stat()
                guard stat(prefix, &info) == 0 else {
                    throw FileError(description: "\(path): cannot create directory \(prefix) (\(reason(code)))")
                }
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw FileError(description: "\(path): cannot create directory: \(prefix) is not a directory")
                }
            }
            prefix += "/"
        }
    }

    /// The system's text for an `errno` value, e.g. "No space left on device".
    public static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
