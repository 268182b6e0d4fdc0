/// A message with its header: what every message on the bus carries. Sent as two frames, `[topic, payload]`.
public struct Envelope: Sendable, Equatable {
    public static let schemaVersion: UInt8 = 1

    public var topic: String
    /// The service that published it (`DataSvc`, `MeshCtl`…).
    public var source: String
    /// Per-stream sequence number; a stream is (topic, source). Starts at 1.
    public var seq: UInt64
    /// When the thing happened in market time (a bar: its close), nanoseconds since 1970.
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
    public static let resume = "ctl.resume"
    public static let resend = "ctl.resend"
    public static let heartbeat = "ctl.heartbeat"
    public static let end = "ctl.end"
    /// A node's message to itself that proves its subscriptions are live (see `MeshNodeService`).
    public static let probe = "ctl.probe"

    /// The message type a topic carries, from its first component.
    public static func messageType(of topic: String) -> MessageType? {
        if topic.hasPrefix("order.denied.") { return .denied }
        let head = topic.split(separator: ".", maxSplits: 1).first.map(String.init) ?? topic
        switch head {
        case "bar": return .bar
        case "pred": return .prediction
        case "signal": return .signal
        case "order": return .order
        case "fill": return .fill
        case "pnl": return .position
        case "ctl":
            switch topic {
            case ready: return .ready
            case ack: return .ack
            case kill: return .kill
            case resume: return .resume
            case resend: return .resend
            case heartbeat: return .heartbeat
            case end: return .end
            case probe: return .ready
            default: return nil
            }
        default: return nil
        }
    }
}
