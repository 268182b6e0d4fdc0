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

    /// The last sequence number per stream. A mesh has a handful of streams: they are looked up by a linear
    /// scan (comparing short strings is cheaper than hashing two of them per message), with an index once
    /// there are many.
    private var streams: [(key: StreamKey, seq: UInt64)] = []
    private var index: [StreamKey: Int] = [:]
    private static let scanLimit = 16
    private var garbageLogged: Set<String> = []
    /// Topics, sources and symbols seen lately: most messages repeat them.
    private let recent = RecentStrings()
    public private(set) var garbageCount: UInt64 = 0
    public private(set) var gapCount: UInt64 = 0
    public private(set) var received: UInt64 = 0
    public private(set) var lastSequence: UInt64 = 0

    public init() {}

    /// Checks one multipart message.
    public mutating func check(_ frames: [[UInt8]], logger: Logger) -> Outcome {
        let first = frames.first ?? []
        let second = frames.count > 1 ? frames[1] : []
        return first.withUnsafeBytes { t in
            second.withUnsafeBytes { p in check(frameCount: frames.count, topic: t, payload: p, logger: logger) }
        }
    }

    /// Checks one multipart message as received: its frame count and its first two frames.
    public mutating func check(frameCount: Int, topic topicBytes: UnsafeRawBufferPointer,
                               payload: UnsafeRawBufferPointer, logger: Logger) -> Outcome {
        let envelope: Envelope
        do throws(WireError) {
            guard frameCount == 2 else { throw .wrongFrameCount(frameCount) }
            envelope = try WireCodec.decode(topic: topicBytes, payload: payload, recent: recent)
        } catch {
            let topic = String(decoding: topicBytes.prefix(64), as: UTF8.self)
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
        let slot = stream(topic: envelope.topic, source: envelope.source)
        let previous: UInt64? = slot.map { streams[$0].seq }
        if let previous, envelope.seq <= previous {
            // A re-sent (or repeated) message: delivered, but neither a gap nor a new position in its stream.
            return .message(envelope)
        }
        if let slot {
            streams[slot].seq = envelope.seq
        } else {
            let key = StreamKey(topic: envelope.topic, source: envelope.source)
            streams.append((key, envelope.seq))
            if streams.count > Self.scanLimit {
                if index.isEmpty { for (i, s) in streams.enumerated() { index[s.key] = i } }
                else { index[key] = streams.count - 1 }
            }
        }
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

    private func stream(topic: String, source: String) -> Int? {
        if streams.count > Self.scanLimit { return index[StreamKey(topic: topic, source: source)] }
        for i in streams.indices where streams[i].key.topic == topic && streams[i].key.source == source { return i }
        return nil
    }
}
