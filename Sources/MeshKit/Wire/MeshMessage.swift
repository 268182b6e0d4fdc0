import TradingCore

/// The body of a message on the bus. Field layouts: docs/wire.md.
///
/// Bars and predictions are stored inline; the larger or rarer bodies are boxed (`indirect`), which keeps the
/// value small: a message is copied several times between the socket and a node, and nodes keep what they sent.
public enum MeshMessage: Sendable, Equatable {
    /// A bar of `symbol`; `bar.time` is the bar's timestamp in the data (its open), the envelope's `tsEvent` its
    /// close.
    case bar(symbol: String, bar: Bar)
    case prediction(symbol: String, prediction: Prediction)
    /// A strategy's decision on the close of the bar stamped `barTime`, for each position the account may hold
    /// ("no change" is still sent).
    indirect case signal(symbol: String, barTime: Int64, plan: SignalPlan)
    indirect case order(Order)
    indirect case fill(Fill)
    indirect case position(PositionSnapshot)
    /// A service has subscribed to `topics` and is ready for traffic.
    indirect case ready(service: String, topics: [String])
    /// Progress: `service` has finished everything up to sequence `lastSeq` of its input.
    case ack(service: String, lastSeq: UInt64)
    /// Kill switch: stop trading (cancel orders; flatten when `flatten`).
    indirect case kill(reason: String, flatten: Bool)
    /// Lifts the kill switch; `proof` is the operator's HMAC over the request (`OperatorSecret`), without which an
    /// execution service refuses it.
    indirect case resume(reason: String, proof: String)
    /// An execution service's answer to a kill or a resume, after its journal has the new state.
    indirect case killAck(KillAck)
    /// The risk layer refused an order: which rule, its limit, the value that broke it, why.
    indirect case denied(OrderDenied)
    /// `service` asks the publisher of `topic` to publish it again from sequence `fromSeq` (a restarted service
    /// catching up on what it missed).
    indirect case resend(service: String, topic: String, fromSeq: UInt64)
    /// Liveness and counters of a service.
    indirect case heartbeat(Heartbeat)
    /// End of a stream: `service` has published everything up to sequence `lastSeq` of `topic`.
    indirect case end(service: String, topic: String, lastSeq: UInt64)

    /// The wire type code (byte 1 of the payload).
    public var type: MessageType {
        switch self {
        case .bar: .bar
        case .prediction: .prediction
        case .signal: .signal
        case .order: .order
        case .fill: .fill
        case .position: .position
        case .ready: .ready
        case .ack: .ack
        case .kill: .kill
        case .resume: .resume
        case .denied: .denied
        case .resend: .resend
        case .heartbeat: .heartbeat
        case .end: .end
        case .killAck: .killAck
        }
    }
}

/// Counters a service reports in its heartbeat.
public struct Heartbeat: Sendable, Equatable {
    public var service: String
    public var messagesIn: UInt64
    public var messagesOut: UInt64
    public var dropped: UInt64
    public var gaps: UInt64
    public var lastSeq: UInt64

    public init(service: String, messagesIn: UInt64 = 0, messagesOut: UInt64 = 0, dropped: UInt64 = 0,
                gaps: UInt64 = 0, lastSeq: UInt64 = 0) {
        self.service = service
        self.messagesIn = messagesIn
        self.messagesOut = messagesOut
        self.dropped = dropped
        self.gaps = gaps
        self.lastSeq = lastSeq
    }
}

/// Wire type codes.
public enum MessageType: UInt8, Sendable, CaseIterable {
    case bar = 1, prediction = 2, signal = 3, order = 4, fill = 5, position = 6
    case denied = 7
    case ready = 10, ack = 11, kill = 12, heartbeat = 13, end = 14, resume = 15, resend = 16, killAck = 17

    /// The name used in JSON (`MeshCtl tap`, `MeshCtl pub`) and docs.
    public var name: String {
        switch self {
        case .bar: "bar"
        case .prediction: "prediction"
        case .signal: "signal"
        case .order: "order"
        case .fill: "fill"
        case .position: "position"
        case .ready: "ready"
        case .ack: "ack"
        case .kill: "kill"
        case .heartbeat: "heartbeat"
        case .end: "end"
        case .resume: "resume"
        case .denied: "denied"
        case .resend: "resend"
        case .killAck: "kill_ack"
        }
    }
}
