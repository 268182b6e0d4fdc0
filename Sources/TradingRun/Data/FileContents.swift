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
        try Self.checkIsText(fd: fd, size: size, path: path)
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

    /// Holds `text` followed by `\n`; `file` names it in messages.
    init(text: String, file: String) throws(DataLoadError) {
        let utf8 = Array(text.utf8)
        try utf8.withUnsafeBufferPointer { (head) throws(DataLoadError) in
            try Self.checkIsText(UnsafeBufferPointer(rebasing: head.prefix(Self.headLength)), wholeFile: utf8.count
                <= Self.headLength, path: file)
        }
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

    /// How much of a file is looked at before it is read whole.
    static let headLength = 64 * 1024

    /// Reads the first `headLength` bytes and refuses a file that cannot be a CSV file, before it is mapped or
    /// read: one holding NUL or other control bytes (binary data), or one with no line break in those bytes.
    private static func checkIsText(fd: Int32, size: Int, path: String) throws(DataLoadError) {
        let length = min(size, headLength)
        guard length > 0 else { return }
        let head = UnsafeMutablePointer<UInt8>.allocate(capacity: length)
        defer { head.deallocate() }
        var done = 0
        while done < length {
            let n = pread(fd, head + done, length - done, off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .unreadable(path, String(cString: strerror(errno))) }
            if n == 0 { break }
            done += n
        }
        try checkIsText(UnsafeBufferPointer(start: head, count: done), wholeFile: size <= headLength, path: path)
    }

    /// Refuses `head` (the start of a file, or all of it when `wholeFile`) when it holds a control byte other than
    /// tab, line feed, vertical tab, form feed and carriage return, or when a file longer than it has no `\n` in it.
    private static func checkIsText(_ head: UnsafeBufferPointer<UInt8>, wholeFile: Bool, path: String)
        throws(DataLoadError)
    {
        if let kind = knownBinaryFormat(head, path: path) { throw .notText(path, line: 1, kind) }
        var line = 1
        var sawNewline = false
        for (offset, byte) in head.enumerated() {
            if byte == 0x0A {
                line += 1
                sawNewline = true
            } else if byte < 0x20 && !(0x09...0x0D).contains(byte) || byte == 0x7F {
                let hex = String(byte, radix: 16, uppercase: true)
                throw .notText(path, line: line, "binary data: byte 0x\(hex.count < 2 ? "0" + hex : hex) at "
                    + "offset \(offset)")
            }
        }
        if !sawNewline && !wholeFile {
            throw .notText(path, line: 1, "no line break in the first \(head.count) bytes (a CSV file starts with a header "
                + "line such as \"Time,Open,High,Low,Close,Volume\")")
        }
    }

    /// What a file is, with the command that converts it to CSV, when its first bytes are the magic number of a
    /// format people save bars in: Parquet (`PAR1`), a ZIP archive or Excel workbook (`PK\u{3}\u{4}`), gzip.
    private static func knownBinaryFormat(_ head: UnsafeBufferPointer<UInt8>, path: String) -> String? {
        func starts(with magic: [UInt8]) -> Bool { head.count >= magic.count && zip(head, magic).allSatisfy { $0 == $1 } }
        if starts(with: Array("PAR1".utf8)) {
            return "this is a Parquet file; convert it to CSV first, e.g. python3 -c \"import pandas as pd; "
                + "pd.read_parquet('\(path)').to_csv('\(path).csv')\""
        }
        if starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return "this is a ZIP archive (or an Excel .xlsx workbook); unzip it, or convert a workbook with "
                + "python3 -c \"import pandas as pd; pd.read_excel('\(path)').to_csv('\(path).csv', index=False)\""
        }
        if starts(with: [0x1F, 0x8B]) {
            return "this file is gzip-compressed; decompress it first: gunzip -k \(path)"
        }
        return nil
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
