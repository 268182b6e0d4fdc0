/// Where an execution service records what it does, durably, before acknowledging it (the session journal).
/// Calls between two `commit()`s form one transaction.
public protocol ExecutionRecorder: AnyObject, Sendable {
    func record(bar: Bar, seq: UInt64) throws
    func record(decision: SignalPlan, seq: UInt64) throws
    func record(fill: Fill, seq: UInt64, time: Int64) throws
    func record(snapshot: PositionSnapshot, seq: UInt64, time: Int64) throws
    /// A kill switch event (`kill` or `resume`) after `barsDone` bars and `decisionsDone` decisions.
    func record(event kind: String, flatten: Bool, detail: String, barsDone: UInt64, decisionsDone: UInt64) throws
    func commit() throws
}
