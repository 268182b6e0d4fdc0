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
    private var endSeq: UInt64?
    private var inputFilter = InputFilter()

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
    }

    /// Topic prefixes the node needs.
    public var subscriptions: [String] { [Topic.bar(symbol), Topic.end] }

    public mutating func handle(_ envelope: Envelope, publish: MeshNodeService.Publish) -> MeshNodeService.Next {
        switch envelope.message {
        case .bar(let s, let bar) where s == symbol && envelope.topic == Topic.bar(symbol):
            guard inputFilter.accept(envelope, from: barSource, logger: logger), envelope.seq > lastBarSeq else {
                return .proceed   // a stranger's, or one already predicted (re-sent for another service)
            }
            let p = predictor.predict(after: bar)
            publish(Topic.prediction(symbol), .prediction(symbol: symbol, prediction: Prediction(
                time: bar.time, predictedPrice: p?.predictedPrice ?? .nan, predictedReturn: p?.predictedReturn ?? .nan)),
                tsEvent: envelope.tsEvent, tsInit: envelope.tsInit)
            lastBarSeq = envelope.seq
        case .end(let service, let topic, let lastSeq) where service == barSource && topic == Topic.bar(symbol):
            endSeq = lastSeq
        default:
            return .proceed
        }
        guard let end = endSeq, lastBarSeq >= end else { return .proceed }
        publish(Topic.end, .end(service: name, topic: Topic.prediction(symbol), lastSeq: end),
                    tsEvent: envelope.tsEvent, tsInit: envelope.tsInit)
        logger.info("prediction stream ended", metadata: ["symbol": "\(symbol)", "bars": "\(end)"])
        return exitAtEnd ? .finish : .proceed
    }
}

/// Accepts a node's inputs only from the service that should send them: a message from anyone else on the same
/// topic (a stray publisher, a test tool) is logged once per source and ignored.
struct InputFilter: Sendable {
    private var warned: Set<String> = []

    mutating func accept(_ envelope: Envelope, from expected: String, logger: Logger) -> Bool {
        if envelope.source == expected { return true }
        if warned.insert(envelope.topic + "|" + envelope.source).inserted {
            logger.warning("ignored input from an unexpected source", metadata: [
                "topic": "\(envelope.topic)", "source": "\(envelope.source)", "expected": "\(expected)",
            ])
        }
        return false
    }
}
