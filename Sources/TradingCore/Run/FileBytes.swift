import Foundation

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
