import TradingCore

#if canImport(Glibc)
import Glibc
#endif

/// The compact little-endian binary encoding of envelopes (layout: docs/wire.md).
///
/// A message is one ZeroMQ frame: the topic's UTF-8 bytes, a 0x00 byte, then the payload. The payload's header
/// (28 bytes + source): u8 schema version, u8 type, u16 source length, u64 seq, i64 ts_event, i64 ts_init,
/// source UTF-8; then the type's body. Strings are a length + UTF-8; numbers f64. A length (or count) is a u16, or
/// from 0xFFFF up the u16 0xFFFF followed by a u32: strings are never cut short.
public enum WireCodec {
    /// The byte that ends the topic at the start of every frame. A topic never contains it, so subscribers can
    /// filter by topic prefix (`bar.`) or by an exact topic (`bar.NVDA` followed by this byte).
    public static let topicTerminator: UInt8 = 0

    /// Encodes a whole message: its frame, topic and payload.
    public static func frame(_ e: Envelope) -> [UInt8] {
        var bytes = Array(e.topic.utf8)
        bytes.append(topicTerminator)
        encode(e, appendingTo: &bytes)
        return bytes
    }

    /// Encodes the payload: the part of a frame after the topic and its terminator.
    public static func encode(_ e: Envelope) -> [UInt8] {
        // A message is encoded on the stack and copied once into its array (most fit in 256 bytes).
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { scratch in
            var w = ByteWriter(scratch: scratch)
            write(e, to: &w)
            return w.bytes()
        }
    }

    /// Encodes the payload at the end of `bytes` (a buffer that collects many messages).
    static func encode(_ e: Envelope, appendingTo bytes: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { scratch in
            var w = ByteWriter(scratch: scratch)
            write(e, to: &w)
            w.append(to: &bytes)
        }
    }

    private static func write(_ e: Envelope, to w: inout ByteWriter) {
        w.u8(Envelope.schemaVersion)
        w.u8(e.message.type.rawValue)
        // The source's length sits in the fixed header; a source of 0xFFFF bytes or more (which no service name
        // is) has the escape there and its u32 length right after the header, so seq and the stamps keep their
        // offsets.
        let sourceLength = e.source.utf8.count
        let escaped = sourceLength >= Int(WireLength.escape)
        w.u16(escaped ? WireLength.escape : UInt16(sourceLength))
        w.u64(e.seq)
        w.i64(e.tsEvent)
        w.i64(e.tsInit)
        if escaped { w.u32(UInt32(sourceLength)) }
        w.text(e.source)
        switch e.message {
        case .bar(let symbol, let b):
            w.string(symbol); w.i64(b.time); w.f64(b.open); w.f64(b.high); w.f64(b.low); w.f64(b.close)
            w.f64(b.volume)
        case .prediction(let symbol, let p):
            w.string(symbol); w.i64(p.time); w.f64(p.predictedPrice); w.f64(p.predictedReturn)
        case .signal(let symbol, let barTime, let plan):
            w.string(symbol); w.i64(barTime)
            func put(_ s: Signal) {
                w.u8(directionCode(s.direction))
                switch s.size {
                case .fraction(let f): w.u8(0); w.f64(f)
                case .units(let u): w.u8(1); w.f64(u)
                }
            }
            put(plan.whenFlat)
            put(plan.whenLong)
            put(plan.whenShort)
            w.f64(plan.predictedReturn ?? .nan)
        case .order(let o):
            w.string(o.clientOrderID); w.string(o.symbol); w.u8(o.side == .buy ? 0 : 1); w.u8(orderTypeCode(o.type))
            w.f64(o.quantity); w.f64(o.price ?? .nan)
        case .fill(let f):
            w.string(f.clientOrderID); w.string(f.symbol); w.u8(f.side == .buy ? 0 : 1)
            w.u8(fillReasonCode(f.reason)); w.f64(f.quantity); w.f64(f.price); w.f64(f.cost)
        case .position(let p):
            w.string(p.symbol); w.f64(p.position); w.f64(p.cash); w.f64(p.equity); w.f64(p.realizedPnL)
            w.f64(p.unrealizedPnL)
        case .ready(let service, let topics):
            w.string(service); w.length(topics.count)
            for t in topics { w.string(t) }
        case .ack(let service, let lastSeq):
            w.string(service); w.u64(lastSeq)
        case .kill(let reason, let flatten):
            w.string(reason); w.u8(flatten ? 1 : 0)
        case .resume(let reason, let proof):
            w.string(reason); w.string(proof)
        case .killAck(let a):
            w.string(a.service); w.string(a.requestSource); w.u64(a.requestSeq); w.i64(a.requestTime)
            w.u8(a.accepted ? 1 : 0); w.u8(a.halted ? 1 : 0); w.string(a.detail)
        case .resend(let service, let topic, let fromSeq):
            w.string(service); w.string(topic); w.u64(fromSeq)
        case .denied(let d):
            w.string(d.order.clientOrderID); w.string(d.order.symbol); w.u8(d.order.side == .buy ? 0 : 1)
            w.f64(d.order.quantity); w.string(d.rule); w.f64(d.limit ?? .nan); w.f64(d.observed ?? .nan)
            w.string(d.reason)
        case .heartbeat(let h):
            w.string(h.service); w.u64(h.messagesIn); w.u64(h.messagesOut); w.u64(h.dropped); w.u64(h.gaps)
            w.u64(h.lastSeq)
        case .end(let service, let topic, let lastSeq):
            w.string(service); w.string(topic); w.u64(lastSeq)
        }
    }

    /// Decodes one message frame. Every way the bytes can be wrong is a `WireError` with its reason.
    public static func decode(frame: [UInt8]) throws(WireError) -> Envelope {
        let result = frame.withUnsafeBytes { f in Result { () throws(WireError) -> Envelope in try decode(frame: f) } }
        return try result.get()
    }

    /// Decodes one message frame in place (as received).
    public static func decode(frame: UnsafeRawBufferPointer) throws(WireError) -> Envelope {
        try decode(frame: frame, recent: nil)
    }

    /// `decode(frame:)` reusing the strings of earlier messages (`recent`) when the bytes repeat.
    static func decode(frame: UnsafeRawBufferPointer, recent: RecentStrings?) throws(WireError) -> Envelope {
        guard let (topic, payload) = split(frame) else { throw .noTopicTerminator }
        return try decode(topic: topic, payload: payload, recent: recent)
    }

    /// A frame's topic (before the first 0x00 byte) and payload (after it); nil without the terminator.
    static func split(_ frame: UnsafeRawBufferPointer) -> (topic: UnsafeRawBufferPointer,
                                                          payload: UnsafeRawBufferPointer)? {
        guard let base = frame.baseAddress, let end = memchr(base, Int32(topicTerminator), frame.count) else {
            return nil
        }
        let topicLength = base.distance(to: UnsafeRawPointer(end))
        return (UnsafeRawBufferPointer(rebasing: frame[..<topicLength]),
                UnsafeRawBufferPointer(rebasing: frame[(topicLength + 1)...]))
    }

    /// Decodes a message from its topic and payload, the two parts of a frame. Every way the bytes can be wrong
    /// is a `WireError` with its reason.
    public static func decode(topic: [UInt8], payload: [UInt8]) throws(WireError) -> Envelope {
        // Typed throws do not pass through `withUnsafeBytes`: carry the error out as a value.
        let result = topic.withUnsafeBytes { t in
            payload.withUnsafeBytes { p in Result { () throws(WireError) -> Envelope in try decode(topic: t, payload: p) } }
        }
        return try result.get()
    }

    /// `decode(topic:payload:)` in place.
    public static func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws(WireError)
        -> Envelope {
        try decode(topic: topic, payload: payload, recent: nil)
    }

    /// `decode(topic:payload:)` reusing the strings of earlier messages (`recent`) when the bytes repeat.
    static func decode(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer,
                       recent: RecentStrings?) throws(WireError) -> Envelope {
        guard let topicText = WireText.string(topic, reusing: recent) else { throw .badTopic }
        var r = ByteReader(payload, recent: recent)
        let version = try r.u8()
        guard version == Envelope.schemaVersion else { throw .unsupportedVersion(version) }
        let code = try r.u8()
        guard let type = MessageType(rawValue: code) else { throw .unknownType(code) }
        let shortSourceLength = try r.u16()
        let seq = try r.u64()
        let tsEvent = try r.i64()
        let tsInit = try r.i64()
        let sourceLength = shortSourceLength == WireLength.escape ? Int(try r.u32()) : Int(shortSourceLength)
        let source = try r.string(length: sourceLength)
        let message: MeshMessage
        switch type {
        case .bar:
            let symbol = try r.string()
            let bar = Bar(time: try r.i64(), open: try r.f64(), high: try r.f64(), low: try r.f64(), close: try r.f64(),
                          volume: try r.f64())
            message = .bar(symbol: symbol, bar: bar)
        case .prediction:
            let symbol = try r.string()
            message = .prediction(symbol: symbol, prediction: Prediction(time: try r.i64(), predictedPrice: try r.f64(),
                                                                         predictedReturn: try r.f64()))
        case .signal:
            let symbol = try r.string()
            let barTime = try r.i64()
            let whenFlat = try signal(&r), whenLong = try signal(&r), whenShort = try signal(&r)
            let predicted = try r.f64()
            message = .signal(symbol: symbol, barTime: barTime, plan: SignalPlan(
                whenFlat: whenFlat, whenLong: whenLong, whenShort: whenShort,
                predictedReturn: predicted.isNaN ? nil : predicted))
        case .order:
            let id = try r.string(), symbol = try r.string()
            let side = try side(try r.u8())
            let orderType = try orderType(try r.u8())
            let quantity = try r.f64(), price = try r.f64()
            message = .order(Order(clientOrderID: id, symbol: symbol, side: side, quantity: quantity, type: orderType,
                                   price: price.isNaN ? nil : price))
        case .fill:
            let id = try r.string(), symbol = try r.string()
            let side = try side(try r.u8())
            let reason = try fillReason(try r.u8())
            message = .fill(Fill(clientOrderID: id, symbol: symbol, side: side, quantity: try r.f64(), price: try r.f64(),
                                 cost: try r.f64(), reason: reason))
        case .position:
            message = .position(PositionSnapshot(symbol: try r.string(), position: try r.f64(), cash: try r.f64(),
                                                 equity: try r.f64(), realizedPnL: try r.f64(),
                                                 unrealizedPnL: try r.f64()))
        case .ready:
            let service = try r.string()
            let n = try r.length()
            var topics: [String] = []
            for _ in 0..<n { topics.append(try r.string()) }
            message = .ready(service: service, topics: topics)
        case .ack:
            message = .ack(service: try r.string(), lastSeq: try r.u64())
        case .kill:
            let reason = try r.string()
            let flatten = try r.u8()
            guard flatten <= 1 else { throw .badField("kill flatten \(flatten)") }
            message = .kill(reason: reason, flatten: flatten == 1)
        case .resume:
            message = .resume(reason: try r.string(), proof: try r.string())
        case .killAck:
            let service = try r.string(), source = try r.string()
            let seq = try r.u64(), time = try r.i64()
            let accepted = try r.u8(), halted = try r.u8()
            guard accepted <= 1, halted <= 1 else { throw .badField("kill_ack flags \(accepted) \(halted)") }
            message = .killAck(KillAck(service: service, requestSource: source, requestSeq: seq, requestTime: time,
                                       accepted: accepted == 1, halted: halted == 1, detail: try r.string()))
        case .resend:
            message = .resend(service: try r.string(), topic: try r.string(), fromSeq: try r.u64())
        case .denied:
            let id = try r.string(), symbol = try r.string()
            let side = try side(try r.u8())
            let quantity = try r.f64()
            let rule = try r.string()
            let limit = try r.f64(), observed = try r.f64()
            let reason = try r.string()
            message = .denied(OrderDenied(order: Order(clientOrderID: id, symbol: symbol, side: side, quantity: quantity,
                                                       type: .market),
                                          rule: rule, limit: limit.isNaN ? nil : limit,
                                          observed: observed.isNaN ? nil : observed, reason: reason))
        case .heartbeat:
            message = .heartbeat(Heartbeat(service: try r.string(), messagesIn: try r.u64(), messagesOut: try r.u64(),
                                           dropped: try r.u64(), gaps: try r.u64(), lastSeq: try r.u64()))
        case .end:
            message = .end(service: try r.string(), topic: try r.string(), lastSeq: try r.u64())
        }
        guard r.isAtEnd else { throw .trailingBytes(r.remaining) }
        if let expected = Topic.messageType(of: topic), expected != type {
            throw .topicMismatch(topic: topicText, type: type.name)
        }
        return Envelope(topic: topicText, source: source, seq: seq, tsEvent: tsEvent, tsInit: tsInit, message: message)
    }

    /// One (direction, size kind, size) triple of a signal plan.
    static func signal(_ r: inout ByteReader) throws(WireError) -> Signal {
        let direction = try direction(try r.u8())
        let kind = try r.u8()
        let value = try r.f64()
        switch kind {
        case 0: return Signal(direction: direction, size: .fraction(value))
        case 1: return Signal(direction: direction, size: .units(value))
        default: throw .badField("signal size kind \(kind)")
        }
    }

    static func directionCode(_ d: Direction) -> UInt8 {
        switch d {
        case .flat: 0
        case .long: 1
        case .short: 2
        }
    }

    static func direction(_ code: UInt8) throws(WireError) -> Direction {
        switch code {
        case 0: .flat
        case 1: .long
        case 2: .short
        default: throw .badField("signal direction \(code)")
        }
    }

    static func orderTypeCode(_ t: OrderType) -> UInt8 {
        switch t {
        case .market: 0
        case .limit: 1
        case .stop: 2
        }
    }

    static func orderType(_ code: UInt8) throws(WireError) -> OrderType {
        switch code {
        case 0: .market
        case 1: .limit
        case 2: .stop
        default: throw .badField("order type \(code)")
        }
    }

    static func fillReasonCode(_ r: FillReason) -> UInt8 {
        switch r {
        case .signal: 0
        case .stop: 1
        case .takeProfit: 2
        case .dailyCap: 3
        case .end: 4
        case .kill: 5
        }
    }

    static func fillReason(_ code: UInt8) throws(WireError) -> FillReason {
        switch code {
        case 0: .signal
        case 1: .stop
        case 2: .takeProfit
        case 3: .dailyCap
        case 4: .end
        case 5: .kill
        default: throw .badField("fill reason \(code)")
        }
    }

    static func side(_ code: UInt8) throws(WireError) -> OrderSide {
        switch code {
        case 0: .buy
        case 1: .sell
        default: throw .badField("side \(code)")
        }
    }
}

/// Why a frame could not be decoded.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    case wrongFrameCount(Int)
    case noTopicTerminator
    case badTopic
    case unsupportedVersion(UInt8)
    case unknownType(UInt8)
    case truncated(needed: Int, remaining: Int)
    case badString
    case badField(String)
    case trailingBytes(Int)
    case topicMismatch(topic: String, type: String)

    public var description: String {
        switch self {
        case .wrongFrameCount(let n): "expected one frame (topic, 0x00, payload), got \(n) frames"
        case .noTopicTerminator: "no 0x00 byte ends the topic"
        case .badTopic: "topic is not UTF-8"
        case .unsupportedVersion(let v): "unsupported schema version \(v) (this build reads \(Envelope.schemaVersion))"
        case .unknownType(let t): "unknown message type \(t)"
        case .truncated(let needed, let remaining): "truncated payload: needed \(needed) more bytes, \(remaining) left"
        case .badString: "a string field is not UTF-8"
        case .badField(let what): "invalid field: \(what)"
        case .trailingBytes(let n): "\(n) unexpected bytes after the message"
        case .topicMismatch(let topic, let type): "topic \(topic) cannot carry a \(type) message"
        }
    }
}
