import Logging

/// Checks every received frame: garbage is counted, logged once per topic with its reason and dropped; sequence
/// gaps per stream (topic, source) are detected and reported.
public struct StreamMonitor: Sendable {
    /// What a checked frame turned out to be.
    public enum Outcome: Sendable, Equatable {
        case message(Envelope)
        /// A valid message that arrived after a gap of `missing` messages on its stream.
        case messageAfterGap(Envelope, missing: UInt64)
        case garbage(topic: String, reason: String)
    }

    private struct StreamKey: Hashable, Sendable {
        var topic: String
        var source: String
    }

    private var lastSeq: [StreamKey: UInt64] = [:]
    private var garbageLogged: Set<String> = []
    public private(set) var garbageCount: UInt64 = 0
    public private(set) var gapCount: UInt64 = 0
    public private(set) var received: UInt64 = 0
    public private(set) var lastSequence: UInt64 = 0

    public init() {}

    /// Checks one multipart message.
    public mutating func check(_ frames: [[UInt8]], logger: Logger) -> Outcome {
        let topic = frames.first.map { String(decoding: $0.prefix(64), as: UTF8.self) } ?? ""
        let envelope: Envelope
        do throws(WireError) {
            guard frames.count == 2 else { throw .wrongFrameCount(frames.count) }
            envelope = try WireCodec.decode(topic: frames[0], payload: frames[1])
        } catch {
            garbageCount += 1
            if garbageLogged.insert(topic).inserted {
                logger.warning("dropped undecodable message", metadata: [
                    "topic": "\(topic)", "reason": "\(error)", "note": "logged once per topic; all are counted",
                ])
            }
            return .garbage(topic: topic, reason: error.description)
        }
        received += 1
        lastSequence = envelope.seq
        let key = StreamKey(topic: envelope.topic, source: envelope.source)
        let previous = lastSeq[key]
        if let previous, envelope.seq <= previous {
            // A re-sent (or repeated) message: delivered, but neither a gap nor a new position in its stream.
            return .message(envelope)
        }
        lastSeq[key] = envelope.seq
        if let previous, envelope.seq != previous &+ 1 {
            let missing = envelope.seq - previous - 1
            gapCount += 1
            logger.error("sequence gap", metadata: [
                "topic": "\(envelope.topic)", "source": "\(envelope.source)", "expected": "\(previous &+ 1)",
                "received": "\(envelope.seq)",
            ])
            return .messageAfterGap(envelope, missing: missing)
        }
        return .message(envelope)
    }
}
