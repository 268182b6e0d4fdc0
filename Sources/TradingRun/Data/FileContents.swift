import TradingCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole data file in memory, ending with `\n` so that every line, including an unterminated last one, ends
/// with a newline.
///
/// A file that already ends with `\n` is mapped read-only (no copy: the pages come straight from the page
/// cache); any other file, and text given directly, is copied into a buffer with a `\n` appended.
final class FileContents {
    /// The bytes; the last one is `\n`.
    let buffer: UnsafeBufferPointer<UInt8>
    private let mappedLength: Int

    /// Reads or maps the file at `path`.
    init(path: String) throws(DataLoadError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path, "not a regular file") }
        let size = Int(info.st_size)
        if size > 0, let mapped = Self.map(fd: fd, size: size) {
            let bytes = mapped.assumingMemoryBound(to: UInt8.self)
            if bytes[size - 1] == 0x0A {
                buffer = UnsafeBufferPointer(start: bytes, count: size)
                mappedLength = size
                return
            }
            munmap(mapped, size)
        }
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: size + 1)
        var done = 0
        while done < size {
            let n = pread(fd, copy + done, size - done, off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                let reason = String(cString: strerror(errno))
                copy.deallocate()
                throw .unreadable(path, reason)
            }
            if n == 0 { break }
            done += n
        }
        copy[done] = 0x0A
        buffer = UnsafeBufferPointer(start: copy, count: done + 1)
        mappedLength = 0
    }

    /// Holds `text` followed by `\n`.
    init(text: String) {
        let utf8 = Array(text.utf8)
        let copy = UnsafeMutablePointer<UInt8>.allocate(capacity: utf8.count + 1)
        copy.initialize(from: utf8, count: utf8.count)
        copy[utf8.count] = 0x0A
        buffer = UnsafeBufferPointer(start: copy, count: utf8.count + 1)
        mappedLength = 0
    }

    deinit {
        guard let base = buffer.baseAddress else { return }
        if mappedLength > 0 {
            munmap(UnsafeMutableRawPointer(mutating: base), mappedLength)
        } else {
            base.deallocate()
        }
    }

    /// The number of `\n` bytes from `offset` on: an upper bound on the number of data lines.
    func newlineCount(from offset: Int) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var count = 0
        var i = offset
        let raw = UnsafeRawPointer(base)
        while i + 8 <= buffer.count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            count += ByteMask.matching(word, 0x0A).nonzeroBitCount
            i += 8
        }
        while i < buffer.count {
            if base[i] == 0x0A { count += 1 }
            i += 1
        }
        return count
    }

    private static func map(fd: Int32, size: Int) -> UnsafeMutableRawPointer? {
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE
        #else
        let flags = MAP_PRIVATE
        #endif
        guard let address = mmap(nil, size, PROT_READ, flags, fd, 0), address != MAP_FAILED else { return nil }
        return address
    }
}
