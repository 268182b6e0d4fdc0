#if canImport(Glibc)
import Glibc
#endif

/// Reads a text file line by line in 1 MiB chunks, so a report over a million-row file never holds it whole
/// (a run's memory budget is spent on the run). Lines are handed out as byte slices without the newline.
struct CSVLineReader {
    private let path: String

    init(path: String) {
        self.path = path
    }

    /// Calls `body` with each line after the header and its 1-based line number in the file.
    func forEachRow(_ body: (ArraySlice<UInt8>, Int) throws -> Void) throws {
        guard let f = fopen(path, "rb") else { throw ReportError.unreadable(path) }
        defer { fclose(f) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var carry: [UInt8] = []
        var line = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            var start = 0
            for i in 0..<n where chunk[i] == UInt8(ascii: "\n") {
                line += 1
                if carry.isEmpty {
                    if line > 1 { try body(chunk[start..<i], line) }
                } else {
                    carry.append(contentsOf: chunk[start..<i])
                    if line > 1 { try body(carry[...], line) }
                    carry.removeAll(keepingCapacity: true)
                }
                start = i + 1
            }
            carry.append(contentsOf: chunk[start..<n])
        }
        if !carry.isEmpty {
            line += 1
            if line > 1 { try body(carry[...], line) }
        }
    }

    /// The comma-separated fields of a line.
    static func fields(_ line: ArraySlice<UInt8>) -> [Substring] {
        String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
    }
}

/// Why a report could not be written.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    private enum Code { case unreadable, malformed }
    private let code: Code
    public let description: String

    static func unreadable(_ path: String) -> ReportError {
        ReportError(code: .unreadable, description: "\(path): cannot be read (is this a backtest results directory?)")
    }

    static func malformed(_ path: String, line: Int, _ why: String) -> ReportError {
        ReportError(code: .malformed, description: "\(path):\(line): \(why)")
    }
}
