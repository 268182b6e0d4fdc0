import Logging
import Synchronization
import Testing
import TradingCore
@testable import MeshKit
@testable import MeshServices

/// The prediction and strategy nodes hand what a message causes to the node service's runner as actions: a
/// publication per bar, the stream's end, and re-publications under the original sequence numbers for `ctl.resend`.
@Suite struct NodeActionsTests {
    /// What the runner carried out, in order: "topic" for a publication, "topic#seq" for a re-publication.
    final class Record: Sendable {
        let lines = Mutex<[String]>([])
        var publish: MeshNodeService.Publish {
            MeshNodeService.Publish(again: { topic, seq, _, _, _ in self.lines.withLock { $0.append("\(topic)#\(seq)") } }) {
                topic, _, _, _ in self.lines.withLock { $0.append(topic) }
            }
        }
    }

    static func bar(_ seq: UInt64) -> Envelope {
        Envelope(topic: "bar.X", source: "DataSvc", seq: seq, tsEvent: Int64(seq), tsInit: Int64(seq),
                 message: .bar(symbol: "X", bar: Bar(time: Int64(seq), open: 1, high: 1, low: 1, close: 1, volume: 1)))
    }

    @Test func thePredictionNodePublishesPerBarEndsAndRepublishesUnderTheOriginalNumbers() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var node = PredictionNode(name: "PredictSvc", symbol: "X", predictor: CachedPredictions([]),
                                  barSource: "DataSvc", exitAtEnd: true, logger: logger)
        let record = Record()
        let publish = record.publish
        #expect(try node.handle(Self.bar(1), publish: publish) == .proceed)
        #expect(try node.handle(Self.bar(2), publish: publish) == .proceed)
        let resend = Envelope(topic: Topic.resend, source: "ExecSvc", seq: 1, tsEvent: 0, tsInit: 0,
                              message: .resend(service: "ExecSvc", topic: "pred.X", fromSeq: 2))
        #expect(try node.handle(resend, publish: publish) == .proceed)
        let end = Envelope(topic: Topic.end, source: "DataSvc", seq: 3, tsEvent: 2, tsInit: 2,
                           message: .end(service: "DataSvc", topic: "bar.X", lastSeq: 2))
        #expect(try node.handle(end, publish: publish) == .finish)
        #expect(record.lines.withLock { $0 } == ["pred.X", "pred.X", "pred.X#2", Topic.end])
    }

    @Test func theStrategyNodeAsksForTheSessionFromTheFirstBarAfterARestart() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var node = StrategyNode(name: "StrategySvc", symbol: "X",
                                strategy: try StrategyStream(settings: StrategySettings(), symbol: "X"),
                                barSource: "DataSvc", predictionSource: "PredictSvc", exitAtEnd: true, logger: logger)
        let record = Record()
        try node.requestMissing(publish: record.publish)
        #expect(record.lines.withLock { $0 } == [Topic.resend, Topic.resend])
    }
}
