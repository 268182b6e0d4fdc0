#if canImport(Glibc)
import Glibc
#endif
/// A message with its header: what every message on the bus carries. Sent as one frame: the topic, a 0x00 byte,
/// then the payload (docs/wire.md).
public struct Envelope: Sendable, Equatable {
    public static let schemaVersion: UInt8 = 1

    public var topic: String
    /// The service that published it (`DataSvc`, `MeshCtl`…).
    public var source: String
    /// Per-stream sequence number; a stream is (topic, source). Starts at 1.
    public var seq: UInt64
    /// When the thing happened in market time, nanoseconds since 1970. A bar: its close (in a replay its time plus
    /// the bar interval, on a live feed the wall clock when it was published).
    public var tsEvent: Int64
    /// When the message was made (virtual time in a replay), nanoseconds since 1970.
    public var tsInit: Int64
    public var message: MeshMessage

    public init(topic: String, source: String, seq: UInt64, tsEvent: Int64, tsInit: Int64, message: MeshMessage) {
        self.topic = topic
        self.source = source
        self.seq = seq
        self.tsEvent = tsEvent
        self.tsInit = tsInit
        self.message = message
    }
}

/// Topic names.
public enum Topic {
    public static func bar(_ symbol: String) -> String { "bar." + symbol }
    public static func prediction(_ symbol: String) -> String { "pred." + symbol }
    public static func signal(_ symbol: String) -> String { "signal." + symbol }
    public static func order(_ symbol: String) -> String { "order." + symbol }
    /// Denials of the risk layer: `order.denied.<SYMBOL>` (so `tap order.` shows orders and denials).
    public static func denied(_ symbol: String) -> String { "order.denied." + symbol }
    public static func fill(_ symbol: String) -> String { "fill." + symbol }
    public static func pnl(_ symbol: String) -> String { "pnl." + symbol }
    public static let ready = "ctl.ready"
    public static let ack = "ctl.ack"
    public static let kill = "ctl.kill"
    /// An execution service's answer to a kill or a resume (`KillAck`).
    public static let killAck = "ctl.kill.ack"
    public static let resume = "ctl.resume"
    public static let resend = "ctl.resend"
    public static let heartbeat = "ctl.heartbeat"
    public static let end = "ctl.end"
    /// A node's message to itself that proves its subscriptions are live (see `MeshNodeService`).
    public static let probe = "ctl.probe"

    /// The message type a topic carries, from its first component.
    public static func messageType(of topic: String) -> MessageType? {
        var topic = topic
        return topic.withUTF8 { messageType(of: UnsafeRawBufferPointer($0)) }
    }

    /// `messageType(of:)` on the topic's bytes as received (no string is made: this runs for every message).
    static func messageType(of topic: UnsafeRawBufferPointer) -> MessageType? {
        @inline(__always) func starts(_ prefix: StaticString) -> Bool {
            let n = prefix.utf8CodeUnitCount
            guard topic.count >= n else { return false }
            return memcmp(topic.baseAddress!, prefix.utf8Start, n) == 0
        }
        @inline(__always) func equals(_ text: StaticString) -> Bool {
            topic.count == text.utf8CodeUnitCount && starts(text)
        }
        // The first component is everything before the first dot (the whole topic without one).
        @inline(__always) func head(_ name: StaticString) -> Bool {
            let n = name.utf8CodeUnitCount
            return starts(name) && (topic.count == n || topic[n] == UInt8(ascii: "."))
        }
        if starts("order.denied.") { return .denied }
        if head("bar") { return .bar }
        if head("pred") { return .prediction }
        if head("signal") { return .signal }
        if head("order") { return .order }
        if head("fill") { return .fill }
        if head("pnl") { return .position }
        if head("ctl") {
            if equals("ctl.ready") { return .ready }
            if equals("ctl.ack") { return .ack }
            if equals("ctl.kill") { return .kill }
            if equals("ctl.kill.ack") { return .killAck }
            if equals("ctl.resume") { return .resume }
            if equals("ctl.resend") { return .resend }
            if equals("ctl.heartbeat") { return .heartbeat }
            if equals("ctl.end") { return .end }
            if equals("ctl.probe") { return .ready }
        }
        return nil
    }
}
