/// The pacing rules of the TWS API as a pure value: it is told when messages went out and says when the next one
/// may go. Time is passed in (`now` = a `Duration` since any fixed origin, e.g. a monotonic clock's start), so
/// the rules are tested without a clock.
///
/// Rules (see docs/ibkr.md): at most 45 messages in any 1-second window (TWS's limit is 50, all messages
/// combined); historical data: no identical request within 15 s, at most 5 requests for the same contract,
/// exchange and data type within 2 s, at most 60 requests in any 10 minutes (`BID_ASK` counts twice), at most 50
/// open at once; real-time bars: at most 60 new subscriptions in any 10 minutes.
public struct IBKRPacingLimiter: Sendable {
    /// What to do with a message now.
    public enum Decision: Sendable, Equatable {
        /// Send it now.
        case sendNow
        /// Wait until this time (same origin as `now`), then ask again.
        case wait(until: Duration)
        /// Too many historical requests are open: wait for one to finish (`historicalRequestFinished()`).
        case waitForOpenHistoricalRequest
    }

    /// The limits; the defaults are the documented TWS limits with a margin on the message rate.
    public struct Limits: Sendable, Equatable {
        /// Messages per `messageWindow`.
        public var messagesPerWindow = 45
        /// The sliding window of the message rate.
        public var messageWindow: Duration = .seconds(1)
        /// No identical historical request within this time.
        public var identicalHistoricalInterval: Duration = .seconds(15)
        /// At most `sameContractRequests` historical requests for one contract/exchange/type in this window.
        public var sameContractWindow: Duration = .seconds(2)
        /// See `sameContractWindow`.
        public var sameContractRequests = 5
        /// At most `historicalRequestsPerLongWindow` historical requests in this window.
        public var longWindow: Duration = .seconds(600)
        /// See `longWindow`.
        public var historicalRequestsPerLongWindow = 60
        /// At most this many historical requests open at once.
        public var openHistoricalRequests = 50
        /// At most this many new real-time bar subscriptions per `longWindow`.
        public var realTimeBarRequestsPerLongWindow = 60

        /// The default limits.
        public init() {}
    }

    /// The limits in force.
    public let limits: Limits
    private var messages: SlidingWindow
    private var historical: SlidingWindow
    private var realTimeBars: SlidingWindow
    private var lastIdentical: [IBKRHistoricalDataRequest.PacingKey: Duration] = [:]
    private var sameContract: [IBKRHistoricalDataRequest.ContractKey: SlidingWindow] = [:]
    /// Historical requests sent and not yet finished.
    public private(set) var openHistoricalRequests = 0

    /// A limiter with the given limits.
    public init(limits: Limits = Limits()) {
        self.limits = limits
        messages = SlidingWindow(capacity: limits.messagesPerWindow, window: limits.messageWindow)
        historical = SlidingWindow(capacity: limits.historicalRequestsPerLongWindow, window: limits.longWindow)
        realTimeBars = SlidingWindow(capacity: limits.realTimeBarRequestsPerLongWindow, window: limits.longWindow)
    }

    /// When `request` may be sent, given the messages recorded so far.
    public func decision(for request: IBKRRequest, now: Duration) -> Decision {
        var earliest = messages.earliestSlot(now: now, weight: 1)
        switch request {
        case .reqHistoricalData(let history):
            if openHistoricalRequests >= limits.openHistoricalRequests { return .waitForOpenHistoricalRequest }
            earliest = max(earliest, historical.earliestSlot(now: now, weight: history.pacingWeight))
            if let last = lastIdentical[history.pacingKey] {
                earliest = max(earliest, last + limits.identicalHistoricalInterval)
            }
            if let window = sameContract[history.contractKey] {
                earliest = max(earliest, window.earliestSlot(now: now, weight: 1))
            }
        case .reqRealTimeBars:
            earliest = max(earliest, realTimeBars.earliestSlot(now: now, weight: 1))
        default:
            break
        }
        return earliest <= now ? .sendNow : .wait(until: earliest)
    }

    /// Records that `request` was sent at `now`.
    public mutating func recordSent(_ request: IBKRRequest, now: Duration) {
        messages.record(now, weight: 1)
        switch request {
        case .reqHistoricalData(let history):
            historical.record(now, weight: history.pacingWeight)
            lastIdentical[history.pacingKey] = now
            sameContract[history.contractKey, default: SlidingWindow(capacity: limits.sameContractRequests,
                                                                      window: limits.sameContractWindow)]
                .record(now, weight: 1)
            openHistoricalRequests += 1
            prune(now: now)
        case .reqRealTimeBars:
            realTimeBars.record(now, weight: 1)
        default:
            break
        }
    }

    /// Records that a historical request finished (its end message, an error, or a cancel).
    public mutating func historicalRequestFinished() {
        openHistoricalRequests = max(0, openHistoricalRequests - 1)
    }

    /// Forgets the open historical requests (after a reconnect: TWS dropped them with the socket).
    public mutating func connectionReset() {
        openHistoricalRequests = 0
    }

    /// Drops identical-request and same-contract entries too old to matter, so the maps stay small.
    private mutating func prune(now: Duration) {
        guard lastIdentical.count > 64 || sameContract.count > 64 else { return }
        let identicalLimit = limits.identicalHistoricalInterval
        lastIdentical = lastIdentical.filter { now - $0.value < identicalLimit }
        sameContract = sameContract.filter { !$0.value.isIdle(now: now) }
    }
}
