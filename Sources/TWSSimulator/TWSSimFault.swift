/// One scripted fault: what the simulator does, and when.
public struct TWSSimFault: Sendable, Equatable {
    /// When the fault fires.
    public enum Trigger: Sendable, Equatable {
        /// When the clock reaches the Nth bar after the start (1 = the first step).
        case atBar(Int)
        /// Right after the messages of the Kth fill of the session (1 = the first fill).
        case afterFill(Int)
    }

    /// What the simulator does.
    public enum Action: String, Sendable, Equatable, CaseIterable {
        /// Close every client connection (messages after it in the same step are lost to those clients).
        case disconnect
        /// Broadcast error 1100: connectivity between TWS and IB lost.
        case error1100 = "error_1100"
        /// Broadcast error 1101: connectivity restored, data lost; market-data subscriptions are dropped.
        case error1101 = "error_1101"
        /// Broadcast error 1102: connectivity restored, data maintained.
        case error1102 = "error_1102"
        /// Reject the next order placed with error 201.
        case rejectNextOrder = "reject_next_order"
        /// Answer the next market-data request with a pacing violation (162 historical, 420 real-time bars).
        case pacingViolation = "pacing_violation"
        /// Answer the next order placed with error 103 (duplicate order id).
        case duplicateId = "duplicate_id"
    }

    /// When.
    public var trigger: Trigger
    /// What.
    public var action: Action

    /// A fault.
    public init(trigger: Trigger, action: Action) {
        self.trigger = trigger
        self.action = action
    }
}
