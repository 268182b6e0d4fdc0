/// Where an execution service records what it does, durably, before acknowledging it (the session journal).
/// Calls between two `commit()`s form one transaction.
public protocol ExecutionRecorder: AnyObject, Sendable {
    func record(bar: Bar, seq: UInt64) throws
    func record(decision: SignalPlan, seq: UInt64) throws
    func record(fill: Fill, seq: UInt64, time: Int64) throws
    func record(snapshot: PositionSnapshot, seq: UInt64, time: Int64) throws
    /// A kill switch event (`kill` or `resume`) after `barsDone` bars and `decisionsDone` decisions.
    func record(event kind: String, flatten: Bool, detail: String, barsDone: UInt64, decisionsDone: UInt64) throws
    /// An order sent to the broker while executing bar `seq`, and what the broker did with it at once.
    func record(order: Order, seq: UInt64, time: Int64, acknowledged: Bool, status: OrderStatus, detail: String) throws
    /// A denial (by the risk rules or the kill switch) or a change of trading state, after `seq` bars.
    func record(risk event: RiskGate.Event, seq: UInt64) throws
    func commit() throws
}

/// What became of an order the execution model sent.
public enum OrderStatus: String, Sendable, CaseIterable {
    case filled
    /// Acknowledged but not filled at once: cancelled (the model's orders are immediate-or-cancel).
    case cancelled
    case rejected
}
