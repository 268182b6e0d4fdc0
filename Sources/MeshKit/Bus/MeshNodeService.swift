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

    /// Publishes a message from a handler: `publish(topic, message, tsEvent:, tsInit:)`. Tests of node logic
    /// make one from a closure that collects the messages.
    public struct Publish: Sendable {
        /// The three closures behind one reference: a `Publish` is handed down through every handler call, and
        /// copying it then costs one reference count, not three.
        private final class Sink: Sendable {
            let body: @Sendable (String, MeshMessage, Int64, Int64) -> Void
            let wanted: @Sendable (String) -> Bool
            let again: @Sendable (String, UInt64, MeshMessage, Int64, Int64) -> Void

            init(body: @escaping @Sendable (String, MeshMessage, Int64, Int64) -> Void,
                 wanted: @escaping @Sendable (String) -> Bool,
                 again: @escaping @Sendable (String, UInt64, MeshMessage, Int64, Int64) -> Void) {
                self.body = body
                self.wanted = wanted
                self.again = again
            }
        }

        private let sink: Sink

        /// - Parameters:
        ///   - wanted: whether anyone subscribes to a topic (default: always).
        ///   - again: publishes a message with its original sequence number (default: like `body`).
        public init(wanted: @escaping @Sendable (String) -> Bool = { _ in true },
                    again: (@Sendable (String, UInt64, MeshMessage, Int64, Int64) -> Void)? = nil,
                    _ body: @escaping @Sendable (String, MeshMessage, Int64, Int64) -> Void) {
            sink = Sink(body: body, wanted: wanted,
                        again: again ?? { topic, _, message, tsEvent, tsInit in body(topic, message, tsEvent, tsInit) })
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
                if try handler(envelope, missing, publish) == .finish { outcome.end(nil) }
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
                                  }) { topic, message, tsEvent, tsInit in
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

/// How a node's work ended: set once from the I/O thread, awaited by the service.
final class NodeOutcome: @unchecked Sendable {
    private let lock = NSLock()
    /// Set once, under the lock; read without it by the handler, for every message.
    private let ended = Atomic<Bool>(false)
    private var error: (any Error)?
    private var waiter: CheckedContinuation<(any Error)?, Never>?

    var isDone: Bool { ended.load(ordering: .acquiring) }

    /// Ends the node, normally (nil) or with an error; later calls are ignored.
    func end(_ error: (any Error)?) {
        lock.lock()
        guard !ended.load(ordering: .relaxed) else {
            lock.unlock()
            return
        }
        self.error = error
        ended.store(true, ordering: .releasing)
        let w = waiter
        waiter = nil
        lock.unlock()
        w?.resume(returning: error)
    }

    /// Waits for the end; returns its error, if any. Cancellation returns nil.
    func wait() async -> (any Error)? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<(any Error)?, Never>) in
                lock.lock()
                if ended.load(ordering: .relaxed) || Task.isCancelled {
                    let e = error
                    lock.unlock()
                    c.resume(returning: e)
                } else {
                    waiter = c
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let w = waiter
            waiter = nil
            lock.unlock()
            w?.resume(returning: nil)
        }
    }
}

/// A value behind a lock: how a node's state machine is shared between its handler and the rest of the process.
/// Inlinable, so that a node's state machine is reached without generic indirection on every message.
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let lock = NSLock()
    /// Only reached with the lock held, which already makes every access exclusive.
    @exclusivity(unchecked) @usableFromInline var stored: Value

    public init(_ value: Value) { stored = value }

    @inlinable public var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }

    /// Runs `body` on the value with the lock held.
    @inlinable public func mutate<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&stored)
    }
}

/// A value set once before the bus connection's I/O thread starts and only read after: the thread start orders
/// the write before every read, so no lock is needed on the per-message path.
final class SetBeforeStart<Value>: @unchecked Sendable {
    var value: Value?
}

/// Set once, read from several tasks.
final class ReadinessFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    /// Sets the flag; true if this call set it.
    func set() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if value { return false }
        value = true
        return true
    }
}
