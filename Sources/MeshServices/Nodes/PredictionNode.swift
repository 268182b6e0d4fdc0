import MeshKit
import Logging
import TradingCore

/// The prediction service's work: one `pred.<SYMBOL>` for every `bar.<SYMBOL>`, in order, with the same sequence
/// number as the bar (a bar without a prediction gets NaNs). Time is the bar's: the prediction's envelope carries
/// the bar envelope's timestamps, so a replay never reads the wall clock.
///
/// A model needs history before it can predict (indicator warm-up, one window): give it a predictor that has
/// already taken in the bars before the first one it will receive (`BarPredictor.warmUp`), so predictions on the
/// bus equal those an in-process run makes over the whole file.
public struct PredictionNode: Sendable {
    public let name: String
    public let symbol: String
    private var predictor: any BarPredictor
    private let barSource: String
    private let exitAtEnd: Bool
    private let logger: Logger
    private var lastBarSeq: UInt64 = 0
    /// The next bar to predict; nil until the first bar arrives (a late joiner starts there), 1 after a restart.
    private var next: UInt64?
    private var pending = SequenceBuffer<(bar: Bar, tsEvent: Int64, tsInit: Int64)>()
    /// Every prediction published, by sequence number − 1, for `ctl.resend`.
    private var published = PublishedLog<(prediction: Prediction, tsEvent: Int64, tsInit: Int64)>()
    /// The topics it reads and writes, made once (a topic is compared with every message).
    private let barTopic: String
    private let predictionTopic: String
    private var endSeq: UInt64?
    private var inputFilter = InputFilter()
    /// What the message being handled causes, carried out by the node service after it (reused, never shrunk).
    private var actions: [NodeAction] = []

    /// - Parameters:
    ///   - barSource: the service whose bars it predicts (`DataSvc`); bars from any other source are ignored.
    ///   - exitAtEnd: finish after the bar stream's `ctl.end` (a replay), instead of waiting for more bars.
    public init(name: String, symbol: String, predictor: any BarPredictor, barSource: String,
                exitAtEnd: Bool, logger: Logger) {
        self.name = name
        self.symbol = symbol
        self.predictor = predictor
        self.barSource = barSource
        self.exitAtEnd = exitAtEnd
        self.logger = logger
        barTopic = Topic.bar(symbol)
        predictionTopic = Topic.prediction(symbol)
    }

    /// Topic prefixes the node needs.
    public var subscriptions: [String] { [barTopic, Topic.end, Topic.resend] }

    /// After a restart: predict from the session's first bar again (the model's window needs every bar, in order).
    public mutating func restartFromFirstBar() { next = 1 }

    /// After a restart: ask `DataSvc` for the session's bars from the first (`ctl.resend`).
    public mutating func requestMissing(publish: MeshNodeService.Publish) throws {
        guard next == 1 else { return }
        actions.append(.publish(topic: Topic.resend, message: .resend(service: name, topic: barTopic, fromSeq: 1),
                                tsEvent: 0, tsInit: 0))
        try publish.run(&actions)
        logger.warning("restarted; asked for the session's bars from the first", metadata: ["symbol": "\(symbol)"])
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
            guard inputFilter.accept(envelope, from: barSource, logger: logger), envelope.seq > lastBarSeq else {
                return .proceed   // a stranger's, or one already predicted (re-sent for another service)
            }
            pending.insert((bar, envelope.tsEvent, envelope.tsInit), at: envelope.seq)
            if next == nil { next = envelope.seq }
            while let n = next, let entry = pending.remove(at: n) {
                let p = predictor.predict(after: entry.bar)
                let prediction = Prediction(time: entry.bar.time, predictedPrice: p?.predictedPrice ?? .nan,
                                            predictedReturn: p?.predictedReturn ?? .nan)
                actions.append(.publish(topic: predictionTopic,
                                        message: .prediction(symbol: symbol, prediction: prediction),
                                        tsEvent: entry.tsEvent, tsInit: entry.tsInit))
                published.append((prediction, entry.tsEvent, entry.tsInit))
                lastBarSeq = n
                next = n + 1
            }
        case .resend(let service, let topic, let fromSeq) where topic == predictionTopic:
            logger.info("re-sending predictions", metadata: ["to": "\(service)", "from": "\(fromSeq)"])
            for index in stride(from: Int(max(1, fromSeq)) - 1, to: published.count, by: 1) {
                let m = published[index]
                actions.append(.republish(topic: predictionTopic, seq: UInt64(index + 1),
                                          message: .prediction(symbol: symbol, prediction: m.prediction),
                                          tsEvent: m.tsEvent, tsInit: m.tsInit))
            }
            return .proceed
        case .end(let service, let topic, let lastSeq) where service == barSource && topic == barTopic:
            endSeq = lastSeq
        default:
            return .proceed
        }
        guard let end = endSeq, lastBarSeq >= end else { return .proceed }
        actions.append(.publish(topic: Topic.end, message: .end(service: name, topic: predictionTopic, lastSeq: end),
                                tsEvent: envelope.tsEvent, tsInit: envelope.tsInit))
        logger.info("prediction stream ended", metadata: ["symbol": "\(symbol)", "bars": "\(end)"])
        return exitAtEnd ? .finish : .proceed
    }
}

/// Accepts a node's inputs only from the service that should send them: a message from anyone else on the same
/// topic (a stray publisher, a test tool) is ignored, and logged once per source for the first few sources, then
/// sparsely (`WarningLimiter`: made-up source names by the thousand cannot fill the log or the memory).
struct InputFilter: Sendable {
    private var warned = WarningLimiter()

    mutating func accept(_ envelope: Envelope, from expected: String, logger: Logger) -> Bool {
        if envelope.source == expected { return true }
        if warned.admit(key: envelope.topic + "|" + envelope.source) {
            logger.warning("ignored input from an unexpected source", metadata: [
                "topic": "\(envelope.topic)", "source": "\(envelope.source)", "expected": "\(expected)",
            ])
        }
        return false
    }
}
