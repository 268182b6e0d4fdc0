import TradingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Somewhere text output can be appended: a `String`, or a file written through a fixed buffer.
public protocol TextSink {
    mutating func append(_ text: String)
}

extension String: TextSink {}

/// Writes a text file through a 1 MiB buffer, so that large outputs (a 1M-bar equity curve) never sit whole in
/// memory. Errors name the path.
public final class TextFileWriter: TextSink {
    private let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private static let capacity = 1 << 20

    public init(path: String) throws {
        guard let f = fopen(path, "wb") else {
            throw FileBytes.FileError(description: "\(path): cannot be written (\(String(cString: strerror(errno))))")
        }
        self.path = path
        file = f
        buffer.reserveCapacity(Self.capacity + 4096)
    }

    public func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.capacity { flushBuffer() }
    }

    private func flushBuffer() {
        if !buffer.isEmpty { _ = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) } }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered and closes the file.
    public func close() throws {
        flushBuffer()
        let failed = ferror(file) != 0
        if fclose(file) != 0 || failed {
            throw FileBytes.FileError(description: "\(path): write failed (\(String(cString: strerror(errno))))")
        }
    }
}
