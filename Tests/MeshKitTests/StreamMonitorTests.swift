import Foundation
import Logging
import Synchronization
import Testing
import TradingCore
@testable import MeshKit

/// What spoofed traffic can make a receiver keep and write: bounded streams, bounded warnings, and a warning when
/// a sequence number comes again with other content (not a silent repeat).
@Suite struct StreamMonitorTests {
    /// Counts the lines written through it, by message.
    final class LineCounter: Sendable {
        let lines = Mutex<[String: Int]>([:])
        var logger: Logger {
            var l = Logger(label: "counted") { _ in CountingHandler(counter: self) }
            l.logLevel = .trace
            return l
        }
        func count(_ message: String) -> Int { lines.withLock { $0[message] ?? 0 } }
        var total: Int { lines.withLock { $0.values.reduce(0, +) } }
    }

    struct CountingHandler: LogHandler {
        let counter: LineCounter
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            counter.lines.withLock { $0[event.message.description, default: 0] += 1 }
        }
    }

    static func bar(source: String, seq: UInt64, close: Double, stamp: Int64 = 5) -> [UInt8] {
        WireCodec.frame(Envelope(topic: "bar.NVDA", source: source, seq: seq, tsEvent: stamp, tsInit: stamp,
                                 message: .bar(symbol: "NVDA", bar: Bar(time: 1, open: 1, high: 2, low: 0.5,
                                                                        close: close, volume: 10))))
    }

    @Test func aHundredThousandMadeUpSourcesKeepBoundedStreamsAndWriteFewLines() {
        let counter = LineCounter()
        let logger = counter.logger
        var monitor = StreamMonitor()
        for k in 0..<100_000 {
            _ = monitor.check([Self.bar(source: "Evil\(k)", seq: 1, close: 1)], logger: logger)
            _ = monitor.check([Array("bar.X\(k)".utf8)], logger: logger)   // garbage on a new topic each time
        }
        #expect(monitor.streamCount == StreamMonitor.maximumStreams)
        #expect(monitor.received == 100_000)
        #expect(monitor.garbageCount == 100_000)
        #expect(counter.total < 100, "\(counter.lines.withLock { $0 })")
        #expect(counter.count("dropped undecodable message") > 0)
        // A real stream still works after the flood: the gap it then has is found.
        _ = monitor.check([Self.bar(source: "DataSvc", seq: 1, close: 1)], logger: logger)
        #expect(monitor.check([Self.bar(source: "DataSvc", seq: 3, close: 1)], logger: logger)
            .isGap(missing: 1))
    }

    @Test func theSameNumberWithOtherContentIsWarnedAboutNotTakenAsARepeat() {
        let counter = LineCounter()
        let logger = counter.logger
        var monitor = StreamMonitor()
        // A spoofer publishes bar 2 as DataSvc before DataSvc does, at a fake price.
        _ = monitor.check([Self.bar(source: "DataSvc", seq: 1, close: 100)], logger: logger)
        _ = monitor.check([Self.bar(source: "DataSvc", seq: 2, close: 1)], logger: logger)
        _ = monitor.check([Self.bar(source: "DataSvc", seq: 2, close: 101)], logger: logger)
        #expect(monitor.conflictCount == 1)
        #expect(counter.count("sequence number repeated with different content") == 1)
        // A re-send (same content, stamped again) is not a conflict.
        _ = monitor.check([Self.bar(source: "DataSvc", seq: 1, close: 100, stamp: 99)], logger: logger)
        #expect(monitor.conflictCount == 1)
        // A spoofer far ahead: each real message under its numbers is a conflict, counted; the lines are few.
        _ = monitor.check([Self.bar(source: "DataSvc", seq: 3, close: 1)], logger: logger)
        for seq in UInt64(4)...10_003 { _ = monitor.check([Self.bar(source: "DataSvc", seq: seq, close: 0)], logger: logger) }
        for seq in UInt64(9_990)...10_003 {
            _ = monitor.check([Self.bar(source: "DataSvc", seq: seq, close: 102)], logger: logger)
        }
        #expect(monitor.conflictCount == 1 + 14)
        #expect(counter.count("sequence number repeated with different content") == 15)
        for _ in 0..<10_000 { _ = monitor.check([Self.bar(source: "DataSvc", seq: 10_003, close: 103)], logger: logger) }
        #expect(monitor.conflictCount == 10_015)
        #expect(counter.count("sequence number repeated with different content") < 40)
    }

    @Test func gapsAreAllCountedButSparselyLogged() {
        let counter = LineCounter()
        let logger = counter.logger
        var monitor = StreamMonitor()
        for k in UInt64(0)..<10_000 {
            _ = monitor.check([Self.bar(source: "DataSvc", seq: 1 + 2 * k, close: 1)], logger: logger)
        }
        #expect(monitor.gapCount == 9_999)
        #expect(counter.count("sequence gap") < 40)
    }

    @Test func theLimiterWritesEachKeyOnceThenSparsely() {
        var limiter = WarningLimiter(distinctKeys: 2, firstCount: 3)
        let a = limiter.admit(key: "a"), b = limiter.admit(key: "b"), again = limiter.admit(key: "a")
        #expect(a && b && !again)
        var written = 0
        for k in 0..<1_000 where limiter.admit(key: "k\(k)") { written += 1 }
        // Past the two keys: the first 3, then the 4th, 8th, … 512th occurrence.
        #expect(written == 3 + 8)
        #expect(limiter.overflow == 1_000)
    }
}

extension StreamMonitor.Outcome {
    func isGap(missing expected: UInt64) -> Bool {
        if case .messageAfterGap(_, let missing) = self { return missing == expected }
        return false
    }
}
