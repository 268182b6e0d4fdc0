import TradingCore
import Foundation
#if canImport(Glibc)
import Glibc
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

    public static func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
            throw FileError(description: "\(path): cannot be written")
        }
    }

    public static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileError(description: "\(path): cannot create directory (\(error.localizedDescription))")
        }
    }
}
