/// An execution service's answer to a `ctl.kill` or `ctl.resume`, published on `ctl.kill.ack` once the kill
/// switch's new state is journaled (committed and synced): what `MeshCtl kill` and `MeshCtl resume` wait for.
public struct KillAck: Sendable, Equatable {
    /// The service answering (`ExecSvc`).
    public var service: String
    /// The request answered, named by its envelope: source, sequence number and `ts_init`.
    public var requestSource: String
    public var requestSeq: UInt64
    public var requestTime: Int64
    /// Whether the request was carried out: a resume without the operator's proof is refused.
    public var accepted: Bool
    /// The kill switch's state after the request.
    public var halted: Bool
    /// Why a request was refused; empty when accepted.
    public var detail: String

    public init(service: String, requestSource: String, requestSeq: UInt64, requestTime: Int64, accepted: Bool,
                halted: Bool, detail: String = "") {
        self.service = service
        self.requestSource = requestSource
        self.requestSeq = requestSeq
        self.requestTime = requestTime
        self.accepted = accepted
        self.halted = halted
        self.detail = detail
    }

    /// The answer to the request `envelope`.
    public init(service: String, answering envelope: Envelope, accepted: Bool, halted: Bool, detail: String = "") {
        self.init(service: service, requestSource: envelope.source, requestSeq: envelope.seq,
                  requestTime: envelope.tsInit, accepted: accepted, halted: halted, detail: detail)
    }

    /// Whether this answers the request `envelope`.
    public func answers(_ envelope: Envelope) -> Bool {
        requestSource == envelope.source && requestSeq == envelope.seq && requestTime == envelope.tsInit
    }
}
