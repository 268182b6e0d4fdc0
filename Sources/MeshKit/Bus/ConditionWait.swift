/// Waits for a condition on state behind a lock, without polling: the code that changes the state resumes the
/// continuation it finds parked.
///
/// `park` runs once, with the continuation; under its own lock it returns `.now` when the condition already holds,
/// `.cancelled` when `Task.isCancelled`, or `.parked` after storing the continuation where the state's updates will
/// find (and resume) it. `unpark` takes the stored continuation back out, if still there, when the task is
/// cancelled: the wait then ends with `CancellationError`.
public enum ConditionWait {
    /// What `park` found.
    public enum Parking: Sendable {
        case now, cancelled, parked
    }

    /// Waits until the code that changes the state resumes the parked continuation (or the task is cancelled).
    public static func wait(park: (CheckedContinuation<Void, any Error>) -> Parking,
                     unpark: @Sendable () -> CheckedContinuation<Void, any Error>?) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                switch park(c) {
                case .now: c.resume()
                case .cancelled: c.resume(throwing: CancellationError())
                case .parked: break
                }
            }
        } onCancel: {
            unpark()?.resume(throwing: CancellationError())
        }
    }
}
