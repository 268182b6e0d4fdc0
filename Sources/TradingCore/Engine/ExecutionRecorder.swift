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

/// One write to an `ExecutionRecorder`, as a value: what an execution service collects on its message path and
/// hands, a batch at a time, to the thread that writes and commits the journal.
public enum JournalEntry: Sendable {
    case bar(Bar, seq: UInt64)
    case decision(SignalPlan, seq: UInt64)
    case fill(Fill, seq: UInt64, time: Int64)
    case snapshot(PositionSnapshot, seq: UInt64, time: Int64)
    case event(kind: String, flatten: Bool, detail: String, barsDone: UInt64, decisionsDone: UInt64)
    case order(Order, seq: UInt64, time: Int64, acknowledged: Bool, status: OrderStatus, detail: String)
    case risk(RiskGate.Event, seq: UInt64)
}

extension ExecutionRecorder {
    /// Writes `entry` (in the transaction the next `commit()` ends).
    public func record(_ entry: JournalEntry) throws {
        switch entry {
        case .bar(let bar, let seq): try record(bar: bar, seq: seq)
        case .decision(let plan, let seq): try record(decision: plan, seq: seq)
        case .fill(let fill, let seq, let time): try record(fill: fill, seq: seq, time: time)
        case .snapshot(let snapshot, let seq, let time): try record(snapshot: snapshot, seq: seq, time: time)
        case .event(let kind, let flatten, let detail, let barsDone, let decisionsDone):
            try record(event: kind, flatten: flatten, detail: detail, barsDone: barsDone, decisionsDone: decisionsDone)
        case .order(let order, let seq, let time, let acknowledged, let status, let detail):
            try record(order: order, seq: seq, time: time, acknowledged: acknowledged, status: status, detail: detail)
        case .risk(let event, let seq): try record(risk: event, seq: seq)
        }
    }
}
