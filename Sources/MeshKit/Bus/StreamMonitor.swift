import Logging

/// Checks every received message: garbage is counted, logged (a bounded number of lines) and dropped; sequence
/// gaps per stream (topic, source) are detected and reported; a sequence number that comes again with other content
/// than the first time — a spoofed message, or a publisher reusing numbers — is counted and warned about.
///
/// What it keeps is bounded whatever arrives: at most `maximumStreams` streams (past that, one seen long ago — the
/// oldest of a few — is forgotten), the content fingerprints of each stream's last `recentPerStream` numbers, and warnings
/// through `WarningLimiter`s (100,000 made-up source names write a few dozen lines, not one each).
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

    /// The last sequence number per stream, and when it was last seen (`received` then). A mesh has a handful of
    /// streams: they are looked up by a linear scan (comparing short strings is cheaper than hashing two of them
    /// per message), with an index once there are many.
    private var streams: [(key: StreamKey, seq: UInt64, lastUse: UInt64)] = []
    private var index: [StreamKey: Int] = [:]
    private static let scanLimit = 16
    /// The most streams tracked at once.
    static let maximumStreams = 1_024
    /// How many recent sequence numbers per stream keep a fingerprint of their content (a power of two).
    static let recentPerStream = 64
    /// Per stream, `recentPerStream` pairs (seq, fingerprint), indexed by seq: stream `i`'s pair for `seq` is at
    /// `(i * recentPerStream + seq % recentPerStream) * 2`. A fingerprint covers the message without its two
    /// stamps, so an answer to `ctl.resend` (same content, maybe stamped again) matches the original.
    private var recent: [UInt64] = []
    private var garbageWarnings = WarningLimiter()
    private var gapWarnings = WarningLimiter()
    private var conflictWarnings = WarningLimiter()
    private var evictionWarnings = WarningLimiter(firstCount: 1)
    private var evictionCursor = 0
    /// Topics, sources and symbols seen lately: most messages repeat them.
    private let recentStrings = RecentStrings()
    public private(set) var garbageCount: UInt64 = 0
    public private(set) var gapCount: UInt64 = 0
    /// Messages whose sequence number came before with other content.
    public private(set) var conflictCount: UInt64 = 0
    /// Streams forgotten to make room for new ones.
    public private(set) var forgottenStreams: UInt64 = 0
    public private(set) var received: UInt64 = 0
    public private(set) var lastSequence: UInt64 = 0

    /// How many streams are tracked now.
    public var streamCount: Int { streams.count }

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
            envelope = try WireCodec.decode(frame: frame, recent: recentStrings)
        } catch {
            let topicBytes = WireCodec.split(frame)?.topic ?? frame
            let topic = String(decoding: topicBytes.prefix(64), as: UTF8.self)
            garbageCount += 1
            if garbageWarnings.admit(key: topic) {
                logger.warning("dropped undecodable message", metadata: [
                    "topic": "\(topic)", "reason": "\(error)", "undecodable_so_far": "\(garbageCount)",
                    "note": "logged once per topic for the first topics, then sparsely; all are counted",
                ])
            }
            return (topic, error.description)
        }
        // The stamps (ts_event, ts_init) sit 12 bytes into the payload, after the topic and its terminator.
        let stamps = envelope.topic.utf8.count + 1 + 12
        try deliver(envelope, track(envelope, fingerprint: Self.fingerprint(frame, stampsAt: stamps), logger: logger))
        return nil
    }

    /// Counts a good message and records its position in its stream; returns how many messages are missing before
    /// it (0: none, or a re-sent message, which is delivered but moves nothing).
    private mutating func track(_ envelope: Envelope, fingerprint: UInt64, logger: Logger) -> UInt64 {
        received += 1
        lastSequence = envelope.seq
        let seq = envelope.seq
        guard let slot = stream(topic: envelope.topic, source: envelope.source) else {
            let slot = add(StreamKey(topic: envelope.topic, source: envelope.source), seq: seq, logger: logger)
            remember(seq, fingerprint, in: slot)
            return 0
        }
        streams[slot].lastUse = received
        let previous = streams[slot].seq
        if seq <= previous {
            // A number seen before: a re-send with the same content, or something else under the same number.
            let pair = Self.pairIndex(slot, seq)
            if recent[pair] == seq && seq > 0 {
                if recent[pair + 1] != fingerprint { conflict(envelope, logger: logger) }
            } else if recent[pair] < seq {
                recent[pair] = seq
                recent[pair + 1] = fingerprint
            }
            return 0
        }
        streams[slot].seq = seq
        remember(seq, fingerprint, in: slot)
        guard seq != previous &+ 1 else { return 0 }
        gapCount += 1
        if gapWarnings.admit() {
            logger.error("sequence gap", metadata: [
                "topic": "\(envelope.topic)", "source": "\(envelope.source)", "expected": "\(previous &+ 1)",
                "received": "\(seq)", "gaps_so_far": "\(gapCount)",
            ])
        }
        return seq - previous - 1
    }

    @inline(__always) private static func pairIndex(_ slot: Int, _ seq: UInt64) -> Int {
        (slot &* recentPerStream &+ Int(truncatingIfNeeded: seq) & (recentPerStream - 1)) &* 2
    }

    @inline(__always) private mutating func remember(_ seq: UInt64, _ fingerprint: UInt64, in slot: Int) {
        let pair = Self.pairIndex(slot, seq)
        recent[pair] = seq
        recent[pair + 1] = fingerprint
    }

    private mutating func conflict(_ envelope: Envelope, logger: Logger) {
        conflictCount += 1
        if conflictWarnings.admit() {
            logger.warning("sequence number repeated with different content", metadata: [
                "topic": "\(envelope.topic)", "source": "\(envelope.source)", "seq": "\(envelope.seq)",
                "conflicts_so_far": "\(conflictCount)",
                "note": "two publishers use this stream's name (a spoofed source?)",
            ])
        }
    }

    /// Starts tracking a stream; with `maximumStreams` tracked, the one seen least recently makes room.
    private mutating func add(_ key: StreamKey, seq: UInt64, logger: Logger) -> Int {
        if streams.count < Self.maximumStreams {
            streams.append((key, seq, received))
            recent.append(contentsOf: repeatElement(0, count: Self.recentPerStream * 2))
            if streams.count > Self.scanLimit {
                if index.isEmpty { for (i, s) in streams.enumerated() { index[s.key] = i } }
                else { index[key] = streams.count - 1 }
            }
            return streams.count - 1
        }
        // The least recently seen of the next few streams from a rotating cursor: close to least recently used,
        // at a constant cost (a flood of new names must not cost a scan of every stream each).
        var oldest = evictionCursor
        for k in 1..<8 {
            let i = (evictionCursor + k) % streams.count
            if streams[i].lastUse < streams[oldest].lastUse { oldest = i }
        }
        evictionCursor = (evictionCursor + 8) % streams.count
        index[streams[oldest].key] = nil
        index[key] = oldest
        streams[oldest] = (key, seq, received)
        let first = Self.pairIndex(oldest, 0)
        for i in first..<first + Self.recentPerStream * 2 { recent[i] = 0 }
        forgottenStreams += 1
        if evictionWarnings.admit() {
            logger.warning("too many streams on the bus; forgetting the least recently seen", metadata: [
                "streams": "\(Self.maximumStreams)", "forgotten_so_far": "\(forgottenStreams)",
                "new_topic": "\(key.topic)", "new_source": "\(key.source)",
            ])
        }
        return oldest
    }

    private func stream(topic: String, source: String) -> Int? {
        if streams.count > Self.scanLimit { return index[StreamKey(topic: topic, source: source)] }
        for i in streams.indices where streams[i].key.topic == topic && streams[i].key.source == source { return i }
        return nil
    }

    /// A 64-bit fingerprint of `frame` without the 16 stamp bytes at `stampsAt`: eight bytes at a time, mixed.
    @inline(__always) static func fingerprint(_ frame: UnsafeRawBufferPointer, stampsAt: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: frame.count)
        let cut = min(max(0, stampsAt), frame.count)
        mix(&h, UnsafeRawBufferPointer(rebasing: frame[..<cut]))
        mix(&h, UnsafeRawBufferPointer(rebasing: frame[min(frame.count, cut + 16)...]))
        return h
    }

    @inline(__always) private static func mix(_ h: inout UInt64, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var i = 0
        while i + 8 <= bytes.count {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        while i < bytes.count {
            tail = tail << 8 | UInt64(base.load(fromByteOffset: i, as: UInt8.self))
            i += 1
        }
        h = (h ^ tail ^ UInt64(bytes.count) << 56) &* 0x94D0_49BB_1331_11EB
    }
}
