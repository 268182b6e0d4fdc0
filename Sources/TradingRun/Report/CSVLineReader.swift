import TradingCore
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

    /// The number of data rows (non-empty lines after the header), counted without parsing.
    func countRows() throws -> Int {
        var rows = 0
        try forEachRow { line, _ in if !line.isEmpty { rows += 1 } }
        return rows
    }

    /// Parses fields `wanted` (ascending indices) of a line in place: the first as a timestamp, the others as
    /// numbers. Returns nil when a field is missing or malformed.
    static func timeAndNumbers(_ line: ArraySlice<UInt8>, wanted: [Int]) -> (Int64, [Double])? {
        line.withUnsafeBufferPointer { buffer -> (Int64, [Double])? in
            guard let base = buffer.baseAddress else { return nil }
            var field = 0, start = 0
            var time: Int64?
            var numbers: [Double] = []
            numbers.reserveCapacity(wanted.count)
            var next = 0
            for i in 0...buffer.count where i == buffer.count || base[i] == UInt8(ascii: ",") {
                if next < wanted.count && field == wanted[next] {
                    if next == 0 {
                        time = Timestamps.parse(base, start, i)
                        if time == nil { return nil }
                    } else {
                        guard let v = DecimalParser.parse(base, start, i) else { return nil }
                        numbers.append(v)
                    }
                    next += 1
                }
                field += 1
                start = i + 1
            }
            guard let time, next == wanted.count else { return nil }
            return (time, numbers)
        }
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
