import MeshKit
import Logging
import TradingCore

/// The strategy service's work: joins `bar.<SYMBOL>` and `pred.<SYMBOL>` by sequence number, runs the configured
/// strategy (the same code as `Backtester run`) and publishes one `signal.<SYMBOL>` per bar, "no change"
/// included, with the bar's sequence number and timestamps.
public struct StrategyNode: Sendable {
    public let name: String
    public let symbol: String
    private var strategy: StrategyStream
    private let barSource: String
    private let predictionSource: String
    private let exitAtEnd: Bool
    private let logger: Logger
    /// The topics it reads and writes, made once (a topic is compared with every message).
    private let barTopic: String
    private let predictionTopic: String
    private let signalTopic: String
    private var bars = SequenceBuffer<(bar: Bar, tsEvent: Int64, tsInit: Int64)>()
    private var predictions = SequenceBuffer<Double>()
    private var next: UInt64 = 1
    private var endSeq: UInt64?
    private var inputFilter = InputFilter()
    /// What the message being handled causes, carried out by the node service after it (reused, never shrunk).
    private var actions: [NodeAction] = []
    /// Every signal published, by sequence number - 1, for `ctl.resend`.
    private var published = PublishedLog<(barTime: Int64, plan: SignalPlan, tsEvent: Int64, tsInit: Int64)>()

    public init(name: String, symbol: String, strategy: StrategyStream, barSource: String, predictionSource: String,
                exitAtEnd: Bool, logger: Logger) {
        self.name = name
        self.symbol = symbol
        self.strategy = strategy
        self.barSource = barSource
        self.predictionSource = predictionSource
        self.exitAtEnd = exitAtEnd
        self.logger = logger
        barTopic = Topic.bar(symbol)
        predictionTopic = Topic.prediction(symbol)
        signalTopic = Topic.signal(symbol)
    }

    public var subscriptions: [String] { [barTopic, predictionTopic, Topic.end, Topic.resend] }

    /// After a restart: ask for the session's bars and predictions from the first (`ctl.resend`); the strategy is
    /// run over all of them again, and the signals the execution service already has are ignored there.
    public mutating func requestMissing(publish: MeshNodeService.Publish) throws {
        for topic in [barTopic, predictionTopic] {
            actions.append(.publish(topic: Topic.resend, message: .resend(service: name, topic: topic, fromSeq: 1),
                                    tsEvent: 0, tsInit: 0))
        }
        try publish.run(&actions)
        logger.warning("restarted; asked for the session's bars and predictions from the first",
                       metadata: ["symbol": "\(symbol)"])
    }

    /// Handles one message: what it causes is collected as actions (`step`) and carried out by the node service's
    /// runner (`Publish.run`), in order.
    public mutating func handle(_ envelope: Envelope, publish: MeshNodeService.Publish) throws -> MeshNodeService.Next {
        let next = step(envelope)
        try publish.run(&actions)
        return next
    }

    /// What one message causes: publications and re-publications appended to `actions`, and whether the node's
    /// work is done.
    private mutating func step(_ envelope: Envelope) -> MeshNodeService.Next {
        switch envelope.message {
        case .bar(let s, let bar) where s == symbol && envelope.topic == barTopic:
            guard inputFilter.accept(envelope, from: barSource, logger: logger), envelope.seq >= next else {
                return .proceed   // a stranger's, or one already handled (re-sent for another service)
            }
            bars.insert((bar, envelope.tsEvent, envelope.tsInit), at: envelope.seq)
        case .prediction(let s, let p) where s == symbol && envelope.topic == predictionTopic:
            guard inputFilter.accept(envelope, from: predictionSource, logger: logger), envelope.seq >= next else {
                return .proceed
            }
            predictions.insert(p.predictedReturn, at: envelope.seq)
        case .resend(let service, let topic, let fromSeq) where topic == signalTopic:
            logger.info("re-sending signals", metadata: ["to": "\(service)", "from": "\(fromSeq)",
                                                        "to_seq": "\(published.count)"])
            for index in stride(from: Int(max(1, fromSeq)) - 1, to: published.count, by: 1) {
                let m = published[index]
                actions.append(.republish(topic: signalTopic, seq: UInt64(index + 1),
                                          message: .signal(symbol: symbol, barTime: m.barTime, plan: m.plan),
                                          tsEvent: m.tsEvent, tsInit: m.tsInit))
            }
            return .proceed
        case .end(let service, let topic, let lastSeq)
            where service == predictionSource && topic == predictionTopic:
            endSeq = lastSeq
        default:
            return .proceed
        }
        // A bar is taken only once its prediction is there; a prediction waits for its bar where it is.
        while predictions.contains(next), let entry = bars.remove(at: next),
              let predicted = predictions.remove(at: next) {
            let plan = strategy.append(entry.bar, predictedReturn: predicted.isNaN ? nil : predicted)
            actions.append(.publish(topic: signalTopic,
                                    message: .signal(symbol: symbol, barTime: entry.bar.time, plan: plan),
                                    tsEvent: entry.tsEvent, tsInit: entry.tsInit))
            published.append((entry.bar.time, plan, entry.tsEvent, entry.tsInit))
            next += 1
        }
        guard let end = endSeq, next > end else { return .proceed }
        actions.append(.publish(topic: Topic.end, message: .end(service: name, topic: signalTopic, lastSeq: end),
                                tsEvent: envelope.tsEvent, tsInit: envelope.tsInit))
        logger.info("signal stream ended", metadata: ["symbol": "\(symbol)", "bars": "\(end)"])
        return exitAtEnd ? .finish : .proceed
    }
}
