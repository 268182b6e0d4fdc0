import MeshKit
import Foundation
import Synchronization
import Logging
import ServiceLifecycle

/// A mesh service as a swift-service-lifecycle `Service`: connects to the bus, proves that its subscriptions are
/// live, announces `ctl.ready`, publishes `ctl.heartbeat` every interval, hands every received message to
/// `handler`, and on graceful shutdown (SIGTERM) stops its tasks and closes the bus connection cleanly.
///
/// Readiness: a subscription travels to the forwarder asynchronously, so a service that announced itself right
/// after connecting could still miss the first messages sent to it. The node therefore publishes `ctl.probe` to
/// itself until one comes back; its subscriptions were made before the probe's, in order, so they are live too.
/// Only then does it publish `ctl.ready`, which is what a replay waits for.
public struct MeshNodeService: Service {
    /// What the node does after a message.
    public enum Next: Sendable {
        case proceed
        /// The node's work is done (e.g. a replay ended): stop and return normally.
        case finish
    }

    /// Publishes a message from a handler: `publish(topic, message, tsEvent:, tsInit:)`, and runs a node's
    /// actions (`run`). Tests of node logic make one from a closure that collects the messages; its actions run
    /// on the caller, in order.
    public struct Publish: Sendable {
        /// The closures behind one reference: a `Publish` is handed down through every handler call, and
        /// copying it then costs one reference count, not three.
        private final class Sink: Sendable {
            let body: @Sendable (String, MeshMessage, Int64, Int64) -> Void
            let wanted: @Sendable (String) -> Bool
            let again: @Sendable (String, UInt64, MeshMessage, Int64, Int64) -> Void
            /// Where blocking actions run, off the I/O thread; nil: on the caller.
            let lane: ActionLane?

            init(body: @escaping @Sendable (String, MeshMessage, Int64, Int64) -> Void,
                 wanted: @escaping @Sendable (String) -> Bool,
                 again: @escaping @Sendable (String, UInt64, MeshMessage, Int64, Int64) -> Void, lane: ActionLane?) {
                self.body = body
                self.wanted = wanted
                self.again = again
                self.lane = lane
            }
        }

        private let sink: Sink

        /// - Parameters:
        ///   - wanted: whether anyone subscribes to a topic (default: always).
        ///   - again: publishes a message with its original sequence number (default: like `body`).
        public init(wanted: @escaping @Sendable (String) -> Bool = { _ in true },
                    again: (@Sendable (String, UInt64, MeshMessage, Int64, Int64) -> Void)? = nil,
                    _ body: @escaping @Sendable (String, MeshMessage, Int64, Int64) -> Void) {
            self.init(wanted: wanted, again: again, lane: nil, body)
        }

        init(wanted: @escaping @Sendable (String) -> Bool,
             again: (@Sendable (String, UInt64, MeshMessage, Int64, Int64) -> Void)?, lane: ActionLane?,
             _ body: @escaping @Sendable (String, MeshMessage, Int64, Int64) -> Void) {
            sink = Sink(body: body, wanted: wanted,
                        again: again ?? { topic, _, message, tsEvent, tsInit in body(topic, message, tsEvent, tsInit) },
                        lane: lane)
        }

        /// Carries out a node's actions in order and empties `actions`. In a service: while no blocking work is
        /// pending, publications go out at once from the calling (I/O) thread; a batch with blocking work (a
        /// journal commit, result files) runs on the service's blocking lane, off the I/O thread, and so does
        /// every batch after it until the lane is idle — nothing is published before the work ahead of it is
        /// done. Without a service (tests), everything runs on the caller and errors are thrown.
        public func run(_ actions: inout [NodeAction]) throws {
            if let lane = sink.lane {
                lane.submit(&actions, publish: sink.body, republish: sink.again)
                return
            }
            defer { actions.removeAll(keepingCapacity: true) }
            for action in actions {
                switch action {
                case .publish(let topic, let message, let tsEvent, let tsInit): sink.body(topic, message, tsEvent, tsInit)
                case .republish(let topic, let seq, let message, let tsEvent, let tsInit):
                    sink.again(topic, seq, message, tsEvent, tsInit)
                case .blocking(let work): try work()
                }
            }
        }

        /// Publishes a message again with its original sequence number (answering `ctl.resend`).
        public func republish(_ topic: String, seq: UInt64, _ message: MeshMessage, tsEvent: Int64, tsInit: Int64) {
            sink.again(topic, seq, message, tsEvent, tsInit)
        }

        /// Whether a subscription for `topic` exists on the bus: a message only for watchers can be skipped.
        public func isWanted(_ topic: String) -> Bool { sink.wanted(topic) }

        public func callAsFunction(_ topic: String, _ message: MeshMessage, tsEvent: Int64, tsInit: Int64) {
            sink.body(topic, message, tsEvent, tsInit)
        }
    }

    /// Called for every message the node receives (and for messages after a sequence gap, with `missing` > 0), in
    /// order, on the connection's I/O thread: what it publishes goes out in the same turn of the I/O loop. It
    /// must not block. Throwing ends the node with that error.
    public typealias Handler = @Sendable (_ envelope: Envelope, _ missing: UInt64, _ publish: Publish) throws -> Next

    /// Called on the I/O thread after each batch of messages the handler was given.
    public typealias BatchEnd = @Sendable (_ publish: Publish) throws -> Void

    /// A check made once, `after` the node is ready (off the I/O thread): an error it returns ends the node.
    public struct Watch: Sendable {
        public var after: Duration
        public var check: @Sendable () -> (any Error)?

        public init(after: Duration, check: @escaping @Sendable () -> (any Error)?) {
            self.after = after
            self.check = check
        }
    }

    public let name: String
    private let endpoints: MeshEndpoints
    private let subscriptions: [String]
    private let clock: any MeshClock
    private let logger: Logger
    private let handler: Handler
    private let gapPolicy: GapPolicy
    private let batchEnd: BatchEnd?
    private let onReady: BatchEnd?
    private let watch: Watch?

    /// - Parameters:
    ///   - gapPolicy: `.fatal` ends `run()` with an error at the first sequence gap (replay mode).
    ///   - batchEnd: called after each batch of messages, e.g. to acknowledge them all at once.
    ///   - watch: a check made once, some time after the node is ready.
    public init(name: String, endpoints: MeshEndpoints, subscriptions: [String], clock: any MeshClock,
                logger: Logger, gapPolicy: GapPolicy = .report, batchEnd: BatchEnd? = nil, onReady: BatchEnd? = nil,
                watch: Watch? = nil, handler: @escaping Handler) {
        self.watch = watch
        self.name = name
        self.batchEnd = batchEnd
        self.onReady = onReady
        self.gapPolicy = gapPolicy
        self.endpoints = endpoints
        self.subscriptions = subscriptions
        self.clock = clock
        self.logger = logger
        self.handler = handler
    }

    public func run() async throws {
        let name = self.name, clock = self.clock, handler = self.handler, gapPolicy = self.gapPolicy
        let subscriptions = self.subscriptions, logger = self.logger, batchEnd = self.batchEnd
        let onReady = self.onReady
        let readiness = ReadinessFlag()
        let outcome = NodeOutcome()
        let lane = ActionLane(name: name) { outcome.end($0) }
        // Set once, before the connection starts (which orders them before every callback); read without a lock.
        let connection = SetBeforeStart<BusConnection>()
        let publisher = SetBeforeStart<Publish>()
        // The probe subscription comes last: when a probe arrives, every earlier subscription is live.
        let bus = BusConnection(source: name, endpoints: endpoints, subscriptions: subscriptions + [Topic.probe],
                                logger: logger) { envelope, missing in
            guard !outcome.isDone, let bus = connection.value else { return }
            if case .ready = envelope.message, envelope.topic == Topic.probe {
                if envelope.source == name && readiness.set() {
                    let now = clock.nowNanoseconds()
                    bus.publish(topic: Topic.ready, message: .ready(service: name, topics: subscriptions),
                                tsEvent: now, tsInit: now)
                    logger.info("service ready", metadata: ["service": "\(name)", "subscriptions": "\(subscriptions)"])
                    if let onReady, let publish = publisher.value {
                        do { try onReady(publish) } catch { outcome.end(error) }
                    }
                }
                return
            }
            if missing > 0 && gapPolicy == .fatal {
                outcome.end(MeshError.protocolFailure(
                    "sequence gap on \(envelope.topic) from \(envelope.source): \(missing) message(s) missing before "
                        + "seq \(envelope.seq) (gap policy: fatal)"))
                return
            }
            guard let publish = publisher.value else { return }
            do {
                // The node is done once the blocking work it asked for is.
                if try handler(envelope, missing, publish) == .finish { lane.whenDone { outcome.end(nil) } }
            } catch {
                outcome.end(error)
            }
        } onTurnEnd: {
            guard !outcome.isDone, let publish = publisher.value else { return }
            do {
                try batchEnd?(publish)
            } catch {
                outcome.end(error)
            }
        }
        connection.value = bus
        publisher.value = Publish(wanted: { bus.hasSubscriber(for: $0) },
                                  again: { topic, seq, message, tsEvent, tsInit in
                                      bus.republish(topic: topic, seq: seq, message: message, tsEvent: tsEvent,
                                                    tsInit: tsInit)
                                  }, lane: lane) { topic, message, tsEvent, tsInit in
            bus.publish(topic: topic, message: message, tsEvent: tsEvent, tsInit: tsInit)
        }
        try bus.start()
        do {
            try await runTasks(bus: bus, readiness: readiness, outcome: outcome)
        } catch {
            await bus.shutdown()
            throw error
        }
        logger.info("service stopping", metadata: ["service": "\(name)"])
        await bus.shutdown()
    }

    private func runTasks(bus: BusConnection, readiness: ReadinessFlag, outcome: NodeOutcome) async throws {
        let interval = endpoints.heartbeatInterval
        let clock = self.clock
        let watch = self.watch
        let name = self.name
        let subscriptions = self.subscriptions
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    if let error = await outcome.wait() { throw error }
                }
                group.addTask {
                    // Probes until the node hears itself, then heartbeats.
                    while !readiness.isSet {
                        let now = clock.nowNanoseconds()
                        bus.publish(topic: Topic.probe, message: .ready(service: name, topics: subscriptions),
                                    tsEvent: now, tsInit: now)
                        do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
                    }
                    // The watch is due at the first heartbeat at least `after` past readiness.
                    var watchDue = watch.map { ContinuousClock.now + $0.after }
                    while !Task.isCancelled {
                        if let due = watchDue, ContinuousClock.now >= due, let watch {
                            watchDue = nil
                            if let error = watch.check() { outcome.end(error) }
                        }
                        let s = bus.currentStats()
                        let t = clock.nowNanoseconds()
                        bus.publish(topic: Topic.heartbeat, message: .heartbeat(Heartbeat(
                            service: name, messagesIn: s.messagesIn, messagesOut: s.messagesOut, dropped: s.dropped,
                            gaps: s.gaps, lastSeq: s.lastSeq)), tsEvent: t, tsInit: t)
                        do { try await Task.sleep(for: interval) } catch { return }
                    }
                }
                // The first task to finish (or throw) ends the node; cancel the other.
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// How a node's work ended: set once (from the I/O thread or the blocking lane), awaited by the service.
final class NodeOutcome: Sendable {
    /// Set once, with the state's lock held; read without it by the handler, for every message.
    private let ended = Atomic<Bool>(false)
    private let state = Mutex<(error: (any Error)?, waiter: CheckedContinuation<(any Error)?, Never>?)>((nil, nil))

    var isDone: Bool { ended.load(ordering: .acquiring) }

    /// Ends the node, normally (nil) or with an error; later calls are ignored.
    func end(_ error: (any Error)?) {
        let waiter = state.withLock { s -> CheckedContinuation<(any Error)?, Never>? in
            guard !ended.load(ordering: .relaxed) else { return nil }
            s.error = error
            ended.store(true, ordering: .releasing)
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: error)
    }

    /// Waits for the end; returns its error, if any. Cancellation returns nil.
    func wait() async -> (any Error)? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<(any Error)?, Never>) in
                let now = state.withLock { s -> (any Error)?? in
                    if ended.load(ordering: .relaxed) || Task.isCancelled { return .some(s.error) }
                    s.waiter = c
                    return .none
                }
                if let now { c.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { s -> CheckedContinuation<(any Error)?, Never>? in
                defer { s.waiter = nil }
                return s.waiter
            }?.resume(returning: nil)
        }
    }
}

/// A value behind a lock (`Mutex`): how a node's state machine is shared between its handler and the rest of the
/// process. Inlinable, so that a node's state machine is reached without generic indirection on every message.
public final class Locked<Value>: Sendable {
    @usableFromInline let mutex: Mutex<Value>

    public init(_ value: sending Value) { mutex = Mutex(value) }

    /// Runs `body` on the value with the lock held.
    @inlinable public func mutate<R, E: Error>(_ body: (inout Value) throws(E) -> sending R) throws(E) -> sending R {
        try mutex.withLock { (value: inout sending Value) throws(E) -> sending R in try body(&value) }
    }
}

extension Locked where Value: Sendable {
    @inlinable public var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
}

/// A value set once before the bus connection's I/O thread starts and only read after: the thread start orders
/// the write before every read, so no lock is needed on the per-message path. Kept `@unchecked` rather than a
/// `Mutex` or an atomic reference: it is read for every message, and that read must cost nothing.
final class SetBeforeStart<Value>: @unchecked Sendable {
    var value: Value?
}

/// Set once, read from several tasks.
final class ReadinessFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    /// Sets the flag; true if this call set it.
    func set() -> Bool {
        value.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
    }
}

/// What a node asks its service to do, in order (`MeshNodeService.Publish.run`).
public enum NodeAction: Sendable {
    /// Publish a message.
    case publish(topic: String, message: MeshMessage, tsEvent: Int64, tsInit: Int64)
    /// Publish a message again under its original sequence number (answering `ctl.resend`).
    case republish(topic: String, seq: UInt64, message: MeshMessage, tsEvent: Int64, tsInit: Int64)
    /// Work that may block — a journal's commit, writing result files: run off the I/O thread; the actions after it
    /// wait for it, and if it throws, the node ends with that error and nothing after it runs.
    case blocking(@Sendable () throws -> Void)

    var isBlocking: Bool {
        if case .blocking = self { true } else { false }
    }
}

/// A node's blocking lane: one serial queue where the batches of actions holding blocking work run, in order, off
/// the I/O thread. While it is idle, a batch with nothing blocking is published from the caller at once (the
/// replay's per-message path: one atomic load per batch).
final class ActionLane: Sendable {
    private let queue: DispatchQueue
    /// Batches submitted and not finished.
    private let pending = Atomic<Int>(0)
    /// Set when blocking work failed: nothing more runs.
    private let failed = Atomic<Bool>(false)
    private let onError: @Sendable (any Error) -> Void

    init(name: String, onError: @escaping @Sendable (any Error) -> Void) {
        queue = DispatchQueue(label: "trademesh.\(name).blocking")
        self.onError = onError
    }

    func submit(_ actions: inout [NodeAction], publish: @escaping @Sendable (String, MeshMessage, Int64, Int64) -> Void,
                republish: @escaping @Sendable (String, UInt64, MeshMessage, Int64, Int64) -> Void) {
        if pending.load(ordering: .acquiring) == 0 && !actions.contains(where: \.isBlocking) {
            for action in actions {
                switch action {
                case .publish(let topic, let message, let tsEvent, let tsInit): publish(topic, message, tsEvent, tsInit)
                case .republish(let topic, let seq, let message, let tsEvent, let tsInit):
                    republish(topic, seq, message, tsEvent, tsInit)
                case .blocking: break   // not reached: the batch has no blocking work
                }
            }
            actions.removeAll(keepingCapacity: true)
            return
        }
        let batch = actions
        actions.removeAll(keepingCapacity: true)
        pending.add(1, ordering: .acquiringAndReleasing)
        queue.async { [self] in
            defer { pending.subtract(1, ordering: .acquiringAndReleasing) }
            guard !failed.load(ordering: .acquiring) else { return }
            for action in batch {
                switch action {
                case .publish(let topic, let message, let tsEvent, let tsInit): publish(topic, message, tsEvent, tsInit)
                case .republish(let topic, let seq, let message, let tsEvent, let tsInit):
                    republish(topic, seq, message, tsEvent, tsInit)
                case .blocking(let work):
                    do {
                        try work()
                    } catch {
                        failed.store(true, ordering: .releasing)
                        onError(error)
                        return
                    }
                }
            }
        }
    }

    /// Calls `body` once every batch submitted so far has run (at once when none is pending).
    func whenDone(_ body: @escaping @Sendable () -> Void) {
        if pending.load(ordering: .acquiring) == 0 { return body() }
        queue.async(execute: body)
    }
}
