/// The send times of the last `capacity` events: the next event may go once the oldest of them has left the window.
struct SlidingWindow: Sendable {
    private var times: [Duration]
    private var head = 0
    private let window: Duration

    init(capacity: Int, window: Duration) {
        times = Array(repeating: .seconds(-1_000_000_000), count: max(capacity, 1))
        self.window = window
    }

    /// The earliest time at which `weight` more events fit.
    func earliestSlot(now: Duration, weight: Int) -> Duration {
        let weight = min(max(weight, 1), times.count)
        // The event `weight` places back from the newest must have left the window.
        let oldestToLeave = times[(head + weight - 1) % times.count]
        return max(now, oldestToLeave + window)
    }

    /// Records `weight` events at `time`.
    mutating func record(_ time: Duration, weight: Int) {
        for _ in 0..<min(max(weight, 1), times.count) {
            times[head] = time
            head = (head + 1) % times.count
        }
    }

    /// True when every recorded event has left the window.
    func isIdle(now: Duration) -> Bool {
        let newest = times[(head + times.count - 1) % times.count]
        return now - newest >= window
    }
}
