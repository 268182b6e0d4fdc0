import Logging

/// Checks every received message: garbage is counted, logged once per topic with its reason and dropped; sequence
/// gaps per stream (topic, source) are detected and reported.
public struct StreamMonitor: Sendable {
    /// What a checked message turned out to be.
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

    /// Checks one message, its frames as received.
    public mutating func check(_ frames: [[UInt8]], logger: Logger) -> Outcome {
        (frames.first ?? []).withUnsafeBytes { check(frameCount: frames.count, frame: $0, logger: logger) }
    }

    /// Checks one message as received: its number of frames and its first frame.
    public mutating func check(frameCount: Int, frame: UnsafeRawBufferPointer, logger: Logger) -> Outcome {
        var outcome: Outcome?
        let garbage = check(frameCount: frameCount, frame: frame, logger: logger) { envelope, missing in
            outcome = missing > 0 ? .messageAfterGap(envelope, missing: missing) : .message(envelope)
        }
        return outcome ?? .garbage(topic: garbage?.topic ?? "", reason: garbage?.reason ?? "")
    }

    /// Checks one message as received and hands a good one to `deliver`, with the number of messages missing
    /// before it on its stream (0: no gap). The envelope is lent, not copied: this runs for every message.
    /// - Returns: nil when the message was delivered; the topic and the reason when it was garbage.
    @discardableResult
    public mutating func check(frameCount: Int, frame: UnsafeRawBufferPointer, logger: Logger,
                               deliver: (_ envelope: Envelope, _ missing: UInt64) throws -> Void) rethrows
        -> (topic: String, reason: String)? {
        let envelope: Envelope
        do throws(WireError) {
            guard frameCount == 1 else { throw .wrongFrameCount(frameCount) }
            envelope = try WireCodec.decode(frame: frame, recent: recent)
        } catch {
            let topicBytes = WireCodec.split(frame)?.topic ?? frame
            let topic = String(decoding: topicBytes.prefix(64), as: UTF8.self)
            garbageCount += 1
            if garbageLogged.insert(topic).inserted {
                logger.warning("dropped undecodable message", metadata: [
                    "topic": "\(topic)", "reason": "\(error)", "note": "logged once per topic; all are counted",
                ])
            }
            return (topic, error.description)
        }
        try deliver(envelope, track(envelope, logger: logger))
        return nil
    }

    /// Counts a good message and records its position in its stream; returns how many messages are missing before
    /// it (0: none, or a re-sent message, which is delivered but moves nothing).
    private mutating func track(_ envelope: Envelope, logger: Logger) -> UInt64 {
        received += 1
        lastSequence = envelope.seq
        let slot = stream(topic: envelope.topic, source: envelope.source)
        let previous: UInt64? = slot.map { streams[$0].seq }
        if let previous, envelope.seq <= previous { return 0 }
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
        guard let previous, envelope.seq != previous &+ 1 else { return 0 }
        gapCount += 1
        logger.error("sequence gap", metadata: [
            "topic": "\(envelope.topic)", "source": "\(envelope.source)", "expected": "\(previous &+ 1)",
            "received": "\(envelope.seq)",
        ])
        return envelope.seq - previous - 1
    }

    private func stream(topic: String, source: String) -> Int? {
        if streams.count > Self.scanLimit { return index[StreamKey(topic: topic, source: source)] }
        for i in streams.indices where streams[i].key.topic == topic && streams[i].key.source == source { return i }
        return nil
    }
}
