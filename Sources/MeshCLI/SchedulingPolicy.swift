#if canImport(Glibc)
import Glibc
#endif

/// A Linux scheduling policy for normal (non-real-time) threads.
public enum SchedulingPolicy: Int32, Sendable {
    /// `SCHED_OTHER`: the default.
    case normal = 0
    /// `SCHED_BATCH`: the same fair share of the CPU, but a thread woken up does not preempt the running one.
    case batch = 3

    /// Switches the calling thread (and so the processes and threads it starts afterwards) to `policy`.
    /// - Returns: the policy it had, or nil when the switch was refused (the thread keeps its policy).
    public static func switchCurrentThread(to policy: SchedulingPolicy) -> SchedulingPolicy? {
        let current = sched_getscheduler(0)
        guard current >= 0, let previous = SchedulingPolicy(rawValue: current) else { return nil }
        var parameters = sched_param()
        parameters.sched_priority = 0
        guard sched_setscheduler(0, policy.rawValue, &parameters) == 0 else { return nil }
        return previous
    }
}
