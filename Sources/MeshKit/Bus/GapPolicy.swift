/// What a service does when a stream skips sequence numbers.
public enum GapPolicy: String, Sendable, CaseIterable {
    /// Count and log the gap, deliver the message and keep running (live trading).
    case report
    /// Stop the service with an error (replay, where a lost message would make the result wrong).
    case fatal
}
