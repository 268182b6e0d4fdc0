import MeshKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import TradingCore
import TradingRun

/// Publishes a bar series on `bar.<SYMBOL>` in order, one message per bar with sequence numbers 1, 2, 3…, then
/// `ctl.end` with the last sequence number, and returns.
///
/// Two pacings:
/// - `.replay(window:)` — a backtest on the bus. Time is virtual: `ts_event` and `ts_init` are the bar's close,
///   its own timestamp (its open) plus the series' bar interval (`BarInterval`). The replay starts only when every service in `awaiting` is ready (its `ctl.ready` or a heartbeat,
///   which a node sends only once its subscriptions are proven live) and the forwarder has passed a `bar.`
///   subscription on. It then runs at most `window` bars ahead of the last bar `ackFrom` acknowledged (credit-based
///   flow control: nothing queues up, nothing is dropped; window 1 is lockstep) and waits for the acknowledgement of
///   the last bar (and, with `finishedBy`, for that service's `ctl.end`). It fails loudly — naming the service — when an awaited service stops heartbeating or progress
///   stalls for `stallTimeout`.
/// - `.live(speed:clock:)` — a live feed made from a file: once the awaited services are ready, bars are published
///   as they "close", the gaps between bar timestamps divided by `speed`, stamped with `clock` (the wall clock).
///   Nothing waits for acknowledgements.
///
/// A graceful shutdown (SIGTERM) stops it between two bars. Time limits (readiness, heartbeats, stalls) and the
/// streaming figure are measured on the injected `clock`; every wait is on a condition (a continuation resumed when
/// the message that satisfies it arrives), none polls.
public struct BarReplayService: Service {
    public enum Pacing: Sendable {
        /// `window` nil: no flow control (free-running; for watching a file go by).
        case replay(window: Int?)
        /// `progressFile`: where the number of bars published is kept, so that a restarted feed continues
        /// (`resumeAfter`: that number, read back) instead of starting over.
        case live(speed: Double, clock: any MeshClock, progressFile: String? = nil, resumeAfter: Int = 0)
    }

    public let name: String
    private let symbol: String
    private let series: BarSeries
    private let endpoints: MeshEndpoints
    private let pacing: Pacing
    private let awaiting: [String]
    private let ackFrom: String
    private let readyTimeout: Duration
    private let stallTimeout: Duration
    private let finishedBy: String?
    private let streamingStatsFile: String?
    private let logger: Logger
    private let clock: any MeshClock
    /// The stamps of the bars published so far, for `ctl.resend`.
    private let ledger = BarLedger()

    public init(name: String, symbol: String, series: BarSeries, endpoints: MeshEndpoints, pacing: Pacing,
                awaiting: [String] = [], ackFrom: String = "ExecSvc", readyTimeout: Duration = .seconds(30),
                stallTimeout: Duration = .seconds(10), finishedBy: String? = nil, streamingStatsFile: String? = nil,
                clock: any MeshClock, logger: Logger) {
        self.clock = clock
        self.finishedBy = finishedBy
        self.streamingStatsFile = streamingStatsFile
        self.name = name
        self.symbol = symbol
        self.series = series
        self.endpoints = endpoints
        self.pacing = pacing
        self.awaiting = awaiting
        self.ackFrom = ackFrom
        self.readyTimeout = readyTimeout
        self.stallTimeout = stallTimeout
        self.logger = logger
    }

    public func run() async throws {
        let progress = ReplayProgress(awaiting: awaiting, clock: clock)
        let ackFrom = self.ackFrom
        let finishedBy = self.finishedBy
        let ledger = self.ledger
        let connection = Mutex<BusConnection?>(nil)
        let (series, symbol, logger) = (self.series, self.symbol, self.logger)
        // Readiness, heartbeats, acknowledgements and re-send requests are handled on the I/O thread as they arrive.
        let bus = BusConnection(source: name, endpoints: endpoints, subscriptions: ["ctl."], logger: logger) { envelope, missing in
            let event = BusConnection.Event(envelope, missing: missing)
            Self.record(event, into: progress, ackFrom: ackFrom, finishedBy: finishedBy)
            if case .message(let e) = event, case .resend(let service, let topic, let from) = e.message,
               topic == Topic.bar(symbol), let bus = connection.withLock({ $0 }) {
                let stamps = ledger.stamps(from: from)
                logger.info("re-sending bars", metadata: ["to": "\(service)", "from": "\(from)",
                                                          "count": "\(stamps.count)"])
                for (k, stamp) in stamps.enumerated() {
                    let index = Int(from) - 1 + k
                    bus.republish(topic: topic, seq: UInt64(index + 1), message: .bar(symbol: symbol, bar: series[index]),
                                  tsEvent: stamp.tsEvent, tsInit: stamp.tsInit)
                }
            }
        }
        connection.withLock { $0 = bus }
        try bus.start()
        do {
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        do {
                            try await self.publish(bus: bus, progress: progress)
                        } catch is CancellationError {
                            // A graceful shutdown between two bars: a clean stop.
                        }
                    }
                    group.addTask { try await self.watch(progress: progress) }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch {
            await bus.shutdown()
            throw error
        }
        await bus.shutdown()
    }

    /// Records readiness, heartbeats and acknowledgements.
    private static func record(_ event: BusConnection.Event, into progress: ReplayProgress, ackFrom: String,
                               finishedBy: String?) {
        let e: Envelope
        switch event {
        case .message(let m), .gap(let m, _): e = m
        }
        switch e.message {
        case .ready(let service, _) where e.topic == Topic.ready: progress.alive(service)
        case .heartbeat(let h): progress.alive(h.service)
        case .ack(let service, let seq) where service == ackFrom: progress.acknowledged(seq)
        case .end(let service, _, _):
            // A service that has ended its stream may exit: its heartbeats are no longer awaited.
            progress.ended(service)
            if service == finishedBy { progress.finished() }
        default: break
        }
    }

    /// Fails when an awaited service stops heartbeating or nothing is acknowledged for `stallTimeout`.
    private func watch(progress: ReplayProgress) async throws {
        do {
            try await watchUntilFailure(progress: progress)
        } catch is CancellationError {
            // Shutting down: not a failure.
        }
    }

    private func watchUntilFailure(progress: ReplayProgress) async throws {
        let heartbeatLimit = endpoints.heartbeatInterval * 3 + .seconds(4)
        var stallLimit: Duration? = stallTimeout
        // Only a flow-controlled replay waits for acknowledgements.
        if case .replay(nil) = pacing { stallLimit = nil }
        if case .live = pacing { stallLimit = nil }
        // A live feed keeps going when a consumer goes away (it may come back and ask for what it missed).
        let watchHeartbeats = stallLimit != nil
        while true {
            try await Task.sleep(for: .milliseconds(100))
            if let failure = progress.failure(heartbeatLimit: watchHeartbeats ? heartbeatLimit : nil, stallLimit: stallLimit,
                                              readyLimit: readyTimeout, ackFrom: ackFrom, bars: series.count) {
                throw MeshError.protocolFailure(failure)
            }
        }
    }

    private func publish(bus: BusConnection, progress: ReplayProgress) async throws {
        let topic = Topic.bar(symbol)
        let end = UInt64(series.count)
        switch pacing {
        case .replay(let window):
            try await progress.waitUntilReady()
            if !awaiting.isEmpty {
                // The awaited services' subscriptions are live at the forwarder; wait until it has passed one on.
                try await bus.waitForSubscriber(for: topic)
            }
            logger.info("replay starting", metadata: ["services": "\(awaiting)", "bars": "\(series.count)"])
            progress.started()
            let pump = CreditPump(name: name, symbol: symbol, series: series, window: window.map { max(1, $0) },
                                  bus: bus, ledger: ledger)
            // From here on each acknowledgement publishes the bars it gives credit for, on the I/O thread.
            progress.onCredit = { acked in pump.pump(acked: acked) }
            // The streaming phase — first bar out to last bar acknowledged — timed for throughput reports only; it
            // never reaches a message or a result.
            let streamingStarted = clock.nowNanoseconds()
            pump.pump(acked: progress.acknowledgedSeq)
            defer { pump.stop() }
            if window != nil {
                try await progress.waitForCredit(seq: end + 1, window: 1)
                let seconds = Double(clock.nowNanoseconds() - streamingStarted) / 1e9
                logger.info("replay streamed", metadata: ["bars": "\(series.count)", "seconds": "\(seconds)"])
                if let streamingStatsFile {
                    try? FileBytes.write("\(series.count) \(seconds)\n", to: streamingStatsFile)
                }
            }
            if finishedBy != nil { try await progress.waitUntilFinished() }
        case .live(let speed, let clock, let progressFile, let resumeAfter):
            try await progress.waitUntilReady()
            if !awaiting.isEmpty { try await bus.waitForSubscriber(for: topic) }
            progress.started()
            var last = clock.nowNanoseconds()
            let first = min(max(0, resumeAfter), series.count)
            if first > 0 {
                // A restarted feed: the stream continues at the next sequence number; earlier bars can still be
                // re-sent (stamped now: their first stamps went with the previous process).
                bus.continueSequence(topic: topic, after: UInt64(first))
                for _ in 0..<first { ledger.append(tsEvent: last, tsInit: last) }
                logger.info("live feed resumed", metadata: ["after": "\(first)", "bars": "\(series.count)"])
            }
            for index in first..<series.count {
                if Task.isCancelled { return }
                if index > first {
                    let gap = Double(series.time[index] - series.time[index - 1]) / speed
                    try await Task.sleep(for: .nanoseconds(Int64(gap)))
                }
                last = clock.nowNanoseconds()
                ledger.append(tsEvent: last, tsInit: last)
                bus.publish(topic: topic, message: .bar(symbol: symbol, bar: series[index]), tsEvent: last, tsInit: last)
                if let progressFile { try? FileBytes.write("\(index + 1)\n", to: progressFile) }
            }
            bus.publish(topic: Topic.end, message: .end(service: name, topic: topic, lastSeq: end), tsEvent: last,
                        tsInit: last)
        }
        logger.info("replay finished", metadata: ["topic": "\(topic)", "bars": "\(series.count)"])
    }
}

/// Publishes a replay's bars as credit arrives: everything up to `acked + window` (all of them without a window),
/// then `ctl.end`. Called from the thread that delivers the acknowledgement — the bus I/O thread — so a bar costs
/// no task switch; the mutex keeps bars in order (their bus sequence numbers are their positions, from 1).
final class CreditPump: Sendable {
    private struct Position {
        var next = 0
        var stopped = false
    }

    private let position = Mutex(Position())
    private let name: String
    private let symbol: String
    private let topic: String
    private let series: BarSeries
    private let window: Int?
    private let bus: BusConnection
    private let ledger: BarLedger
    /// Added to a bar's time (its open) to stamp it at its close.
    private let closeOffset: Int64

    init(name: String, symbol: String, series: BarSeries, window: Int?, bus: BusConnection, ledger: BarLedger) {
        closeOffset = BarInterval.infer(times: series.time)
        self.ledger = ledger
        self.name = name
        self.symbol = symbol
        topic = Topic.bar(symbol)
        self.series = series
        self.window = window
        self.bus = bus
    }

    func pump(acked: UInt64) {
        position.withLock { p in
            guard !p.stopped, p.next <= series.count else { return }
            let limit = window.map { min(series.count, Int(acked) + $0) } ?? series.count
            while p.next < limit {
                let bar = series[p.next]
                // Virtual time: the bar's close.
                let close = bar.time + closeOffset
                ledger.append(tsEvent: close, tsInit: close)
                bus.publish(topic: topic, message: .bar(symbol: symbol, bar: bar), tsEvent: close, tsInit: close)
                p.next += 1
            }
            if p.next == series.count {
                let last = (series.time.last ?? 0) + closeOffset
                bus.publish(topic: Topic.end, message: .end(service: name, topic: topic,
                                                            lastSeq: UInt64(series.count)),
                            tsEvent: last, tsInit: last)
                p.next += 1   // past the end: ctl.end goes out once
            }
        }
    }

    /// No more publishing (the replay ended or is shutting down).
    func stop() {
        position.withLock { $0.stopped = true }
    }
}

/// What the replay knows about the services it waits for, shared by its tasks and the bus I/O thread. Times come
/// from the injected clock; waits are continuations resumed by the update that satisfies them.
final class ReplayProgress: Sendable {
    private struct State {
        var lastSeen: [String: Int64] = [:]
        /// Services that published their `ctl.end`: done, free to exit without being "gone".
        var ended: Set<String> = []
        var acked: UInt64 = 0
        var lastProgress: Int64
        var isStarted = false
        var finished = false
        var credit: (@Sendable (UInt64) -> Void)?
        /// Tasks waiting for a condition on this state, by id.
        var waiters: [Int: (holds: @Sendable (borrowing State) -> Bool, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var nextWaiter = 0

        /// Removes and returns the waiters whose condition holds now.
        mutating func satisfied() -> [CheckedContinuation<Void, any Error>] {
            guard !waiters.isEmpty else { return [] }
            var ready: [CheckedContinuation<Void, any Error>] = []
            for (id, waiter) in waiters where waiter.holds(self) {
                ready.append(waiter.continuation)
                waiters[id] = nil
            }
            return ready
        }
    }

    private let state: Mutex<State>
    private let awaiting: [String]
    private let clock: any MeshClock
    private let created: Int64

    init(awaiting: [String], clock: any MeshClock) {
        self.awaiting = awaiting
        self.clock = clock
        created = clock.nowNanoseconds()
        state = Mutex(State(lastProgress: created))
    }

    /// Applies `change` and resumes the waiters it satisfied (outside the lock).
    private func update<R>(_ change: (inout State) -> R) -> R {
        let (result, ready) = state.withLock { s in
            let result = change(&s)
            return (result, s.satisfied())
        }
        for c in ready { c.resume() }
        return result
    }

    /// Waits until `holds` is true of the state; cancellation ends the wait with `CancellationError`.
    private func wait(until holds: @escaping @Sendable (borrowing State) -> Bool) async throws {
        let id = state.withLock { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        try await ConditionWait.wait(park: { c in
            state.withLock { s in
                if holds(s) { return .now }
                if Task.isCancelled { return .cancelled }
                s.waiters[id] = (holds, c)
                return .parked
            }
        }, unpark: {
            self.state.withLock { $0.waiters.removeValue(forKey: id)?.continuation }
        })
    }

    func alive(_ service: String) {
        let now = clock.nowNanoseconds()
        update { $0.lastSeen[service] = now }
    }

    func ended(_ service: String) {
        guard awaiting.contains(service) else { return }
        update { _ = $0.ended.insert(service) }
    }

    /// Called with the acknowledged sequence number after each new acknowledgement (on the I/O thread).
    var onCredit: (@Sendable (UInt64) -> Void)? {
        get { state.withLock { $0.credit } }
        set { state.withLock { $0.credit = newValue } }
    }

    var acknowledgedSeq: UInt64 { state.withLock { $0.acked } }

    /// The service that ends the run (`finishedBy`) has published its `ctl.end`.
    var isFinished: Bool { state.withLock { $0.finished } }

    func finished() {
        let now = clock.nowNanoseconds()
        update {
            $0.finished = true
            $0.lastProgress = now
        }
    }

    func acknowledged(_ seq: UInt64) {
        let now = clock.nowNanoseconds()
        let (acked, onCredit) = update { s -> (UInt64, (@Sendable (UInt64) -> Void)?) in
            if seq > s.acked {
                s.acked = seq
                s.lastProgress = now
            }
            return (s.acked, s.credit)
        }
        onCredit?(acked)
    }

    func started() {
        let now = clock.nowNanoseconds()
        update {
            $0.isStarted = true
            $0.lastProgress = now
        }
    }

    /// Waits until every awaited service has been heard from.
    func waitUntilReady() async throws {
        let awaiting = self.awaiting
        try await wait { s in awaiting.allSatisfy { s.lastSeen[$0] != nil } }
    }

    /// Waits until the service that ends the run has published its `ctl.end`.
    func waitUntilFinished() async throws {
        try await wait { $0.finished }
    }

    /// Waits until bar `seq` may be sent: at most `window` bars unacknowledged. The acknowledgement that gives
    /// the credit resumes it; cancellation (the replay failing or shutting down) ends it with `CancellationError`.
    func waitForCredit(seq: UInt64, window: Int) async throws {
        try await wait { seq <= $0.acked + UInt64(window) }
    }

    /// Why the replay must stop, if it must.
    func failure(heartbeatLimit: Duration?, stallLimit: Duration?, readyLimit: Duration, ackFrom: String,
                 bars: Int) -> String? {
        let now = clock.nowNanoseconds()
        func elapsed(since t: Int64) -> Duration { .nanoseconds(now - t) }
        return state.withLock { s in
            if !s.isStarted {
                let notReady = awaiting.filter { s.lastSeen[$0] == nil }
                if !notReady.isEmpty && elapsed(since: created) > readyLimit {
                    return "replay could not start: \(notReady.joined(separator: ", ")) not ready after \(readyLimit) "
                        + "(is it running and connected to the same bus?)"
                }
                return nil
            }
            for service in awaiting where !s.ended.contains(service) {
                if let heartbeatLimit, let seen = s.lastSeen[service], elapsed(since: seen) > heartbeatLimit {
                    return "replay stopped: \(service) is gone (no heartbeat for \(elapsed(since: seen))); "
                        + "\(s.acked) of \(bars) bars were acknowledged by \(ackFrom); no results were written"
                }
            }
            if let stallLimit, s.acked < UInt64(bars) && elapsed(since: s.lastProgress) > stallLimit {
                return "replay stalled: \(ackFrom) acknowledged nothing for \(stallLimit) (\(s.acked) of \(bars) bars)"
            }
            return nil
        }
    }
}

/// The envelope stamps of the bars published so far (index = sequence number − 1), so that a re-send carries the
/// original stamps.
final class BarLedger: Sendable {
    private let entries = Mutex<[(tsEvent: Int64, tsInit: Int64)]>([])

    func append(tsEvent: Int64, tsInit: Int64) {
        entries.withLock { $0.append((tsEvent, tsInit)) }
    }

    /// Stamps from sequence number `from` to the last published.
    func stamps(from: UInt64) -> [(tsEvent: Int64, tsInit: Int64)] {
        entries.withLock { Array($0.dropFirst(Int(max(1, from)) - 1)) }
    }
}
