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
/// memory. The first failed write is remembered and reported by `close`, naming the path and the system's reason
/// (e.g. "No space left on device"); nothing more is written after it.
public final class TextFileWriter: TextSink {
    private let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    /// `errno` of the first write that failed, 0 while none has.
    private var failure: Int32 = 0
    private static let capacity = 1 << 20

    public init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FileBytes.FileError(description: "\(path): cannot be written (\(FileBytes.reason(errno)))")
        }
        self.path = path
        self.fd = fd
        buffer.reserveCapacity(Self.capacity + 4096)
    }

    deinit {
        if fd >= 0 { _ = closeDescriptor(fd) }
    }

    public func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.capacity { flushBuffer() }
    }

    private func flushBuffer() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == 0 else { return }
        buffer.withUnsafeBytes { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                if n < 0 {
                    failure = errno
                    return
                }
                done += n
            }
        }
    }

    /// Writes what is buffered and closes the file; throws if any write or the close failed.
    public func close() throws {
        flushBuffer()
        if closeDescriptor(fd) != 0 && failure == 0 { failure = errno }
        fd = -1
        if failure != 0 {
            throw FileBytes.FileError(description: "\(path): write failed (\(FileBytes.reason(failure)))")
        }
    }
}

/// `close(2)`, under a name the writer's own `close()` does not hide.
private func closeDescriptor(_ fd: Int32) -> Int32 { close(fd) }
