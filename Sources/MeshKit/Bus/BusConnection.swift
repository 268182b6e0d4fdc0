import CZMQ
import Foundation
import Logging
import Synchronization
import TradingCore

#if canImport(Glibc)
import Glibc
#endif

/// A process's connection to the bus. One dedicated I/O thread owns the ZeroMQ sockets (they are not
/// thread-safe): outgoing messages wait in a queue behind a mutex and a pipe wakes the thread; incoming messages are
/// checked by a `StreamMonitor` and delivered on `events`. `stop()` flushes the queue (once the connection
/// is up or the connect hold has passed) and closes everything; if the
/// thread does not finish promptly, `zmq_ctx_shutdown` wakes it.
public final class BusConnection: Sendable {
    /// What the connection delivers.
    public enum Event: Sendable {
        case message(Envelope)
        /// A message that followed a sequence gap on its stream.
        case gap(Envelope, missing: UInt64)

        /// A received message with the number of messages missing before it on its stream (0: no gap).
        public init(_ envelope: Envelope, missing: UInt64) {
            self = missing > 0 ? .gap(envelope, missing: missing) : .message(envelope)
        }
    }

    /// Counters for heartbeats and `MeshCtl status`.
    public struct Stats: Sendable, Equatable {
        public var messagesIn: UInt64 = 0
        public var messagesOut: UInt64 = 0
        public var dropped: UInt64 = 0
        public var gaps: UInt64 = 0
        public var lastSeq: UInt64 = 0
    }

    public let source: String
    public let events: BusEvents
    private let continuation: AsyncStream<[Event]>.Continuation
    private let endpoints: MeshEndpoints
    private let subscriptions: [String]
    private let logger: Logger
    private let onEvent: (@Sendable (_ envelope: Envelope, _ missing: UInt64) -> Void)?
    private let onTurnEnd: (@Sendable () -> Void)?
    /// Everything the publishing threads and the I/O thread share, behind one mutex: the queue, the sequences, the
    /// wake-up flag, the statistics and the subscriptions. (A micro-benchmark on this machine timed a `Mutex` round
    /// trip like the `NSLock` it replaced, 11–20 ns; the mesh replay benchmark is the figure that counts.)
    private let shared = Mutex(Shared())
    private let finished = DispatchSemaphore(value: 0)

    private struct Shared: ~Copyable {
        /// Messages waiting for the I/O thread, in publish order.
        var outgoing = OutgoingQueue()
        /// Per topic published: its name, the bytes that start each of its frames (the topic and its terminator)
        /// and its last seq.
        var sequences: [(topic: String, prefix: [UInt8], seq: UInt64)] = []
        var stopping = false
        /// A wake-up byte is in the pipe and the I/O thread has not yet taken the queue: no need to write another.
        var wakePending = false
        var stats = Stats()
        /// Topic prefixes the forwarder has subscribed to on this connection's publisher.
        var upstreamSubscriptions: Set<[UInt8]> = []
        /// Tasks waiting for a subscription to one of these topics (`waitForSubscriber`), by id.
        var subscriberWaiters: [Int: (topic: String, continuation: CheckedContinuation<Void, any Error>)] = [:]
        var nextSubscriberWaiter = 0
        /// Set by `start()`, before the I/O thread runs.
        var context: ZMQContext?
        var wakeRead: Int32 = -1
        var wakeWrite: Int32 = -1
        var started = false
        /// The I/O thread, once started: a publish from it needs no wake-up (the loop flushes right after).
        var ioThread: pthread_t?
        /// This process's entry in the session's registry (`SessionMembers`), removed when the connection stops.
        var memberFile: String?
        /// Direct mode: how many peers must have subscribed to this connection's own publisher before anything is
        /// sent (0 = forwarder mode, with the connect hold instead).
        var peersExpected = 0

        /// The slot of `topic` in `sequences`, made on first use. A process publishes on a few topics: a linear
        /// scan over short strings beats hashing one per message.
        mutating func stream(_ topic: String) -> Int {
            for i in sequences.indices where sequences[i].topic == topic { return i }
            sequences.append((topic, Array(topic.utf8) + [WireCodec.topicTerminator], 0))
            return sequences.count - 1
        }

        /// After queueing: the pipe to write a wake-up byte to, or -1 when a wake-up is pending or this is the I/O
        /// thread itself (its loop sends the queue right after the current turn).
        mutating func wakeUp() -> Int32 {
            let onIOThread = ioThread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
            let fd = wakePending || onIOThread ? -1 : wakeWrite
            if !onIOThread { wakePending = true }
            return fd
        }

        func subscribed(_ topic: String) -> Bool {
            var topic = topic
            return topic.withUTF8 { bytes in
                upstreamSubscriptions.contains { prefix in
                    prefix.count <= bytes.count && prefix.withUnsafeBytes { p in
                        p.isEmpty || memcmp(p.baseAddress!, bytes.baseAddress!, p.count) == 0
                    }
                }
            }
        }
    }

    /// Messages waiting to be sent: their frames one after the other in one byte buffer (no allocation per
    /// message), or raw frames.
    private struct OutgoingQueue {
        enum Entry {
            /// A message's frame: `count` bytes from `start` in `bytes`.
            case message(start: Int, count: Int)
            case raw([[UInt8]])
        }

        var entries: [Entry] = []
        var bytes: [UInt8] = []

        var count: Int { entries.count }

        /// Appends `envelope`'s frame: `topicPrefix` (its topic and terminator), then its payload.
        mutating func append(topicPrefix: [UInt8], encoding envelope: Envelope) {
            let start = bytes.count
            bytes.append(contentsOf: topicPrefix)
            WireCodec.encode(envelope, appendingTo: &bytes)
            entries.append(.message(start: start, count: bytes.count - start))
        }

        mutating func removeAll() {
            entries.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// - Parameters:
    ///   - subscriptions: topic prefixes to receive (empty = publish only).
    ///   - onEvent: when given, every received message is handed to it on the I/O thread, in order, with the number
    ///     of messages missing before it on its stream (0: no gap), and `events` stays empty. Messages it publishes
    ///     go out in the same loop turn, with no thread switch.
    ///   - onTurnEnd: with `onEvent`, called on the I/O thread after each turn's messages, before they are sent:
    ///     the place to publish one summary (an acknowledgement) for a whole batch.
    public init(source: String, endpoints: MeshEndpoints, subscriptions: [String], logger: Logger,
                onEvent: (@Sendable (_ envelope: Envelope, _ missing: UInt64) -> Void)? = nil,
                onTurnEnd: (@Sendable () -> Void)? = nil) {
        self.onEvent = onEvent
        self.onTurnEnd = onTurnEnd
        self.source = source
        self.endpoints = endpoints
        self.subscriptions = subscriptions
        self.logger = logger
        let (batches, continuation) = AsyncStream.makeStream(of: [Event].self, bufferingPolicy: .unbounded)
        events = BusEvents(batches: batches)
        self.continuation = continuation
    }

    /// Connects the sockets and starts the I/O thread. A bad or unusable endpoint (unknown transport, address in use,
    /// unwritable ipc path) throws here, naming the endpoint and the reason, after closing everything it opened —
    /// so that the process can exit at once instead of blocking in `zmq_ctx_term` on a socket left open.
    public func start() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw MeshError.config("pipe() failed: errno \(errno)") }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        let ctx: ZMQContext
        do {
            ctx = try ZMQContext()
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        var opened: [ZMQSocket] = []
        let pub: ZMQSocket, sub: ZMQSocket?
        let direct = endpoints.peers.first { $0.name == source }
        do {
            // XPUB rather than PUB: the forwarder's subscriptions arrive on it, which tells when the connection is up.
            pub = try ZMQSocket(context: ctx, type: .xpub)
            opened.append(pub)
            try pub.setLinger(milliseconds: 1000)
            try pub.setSendHighWaterMark(0)
            if let direct {
                // Direct mode: this service's own publisher, which every peer subscribes to. Verbose, so that each
                // peer's marker subscription is seen, not just the first.
                try pub.setXPubVerbose(true)
                MeshEndpoints.prepareDirectory(for: direct.endpoint)
                try Self.attach(pub, bind: true, direct.endpoint, role: "publisher of \(source)")
            } else {
                try Self.attach(pub, bind: false, endpoints.frontend, role: "bus frontend")
            }
            sub = subscriptions.isEmpty && direct == nil ? nil : try ZMQSocket(context: ctx, type: .sub)
            if let sub {
                opened.append(sub)
                try sub.setLinger(milliseconds: 0)
                try sub.setReceiveHighWaterMark(0)
                for prefix in subscriptions { try sub.subscribe(prefix) }
                try Self.attach(sub, bind: false, endpoints.backend, role: "bus backend")
                if direct != nil {
                    try sub.subscribe(MeshEndpoints.peerMarker)   // last: see `MeshEndpoints.peerMarker`
                    for peer in endpoints.peers {
                        try Self.attach(sub, bind: false, peer.endpoint, role: "publisher of \(peer.name)")
                    }
                }
            }
        } catch {
            for socket in opened {
                try? socket.setLinger(milliseconds: 0)
                socket.close()
            }
            ctx.terminate()
            close(fds[0])
            close(fds[1])
            throw error
        }
        let member = SessionMembers.register(frontend: endpoints.frontend, name: source)
        let peersExpected = direct == nil ? 0 : endpoints.peers.count
        shared.withLock { s in
            s.peersExpected = peersExpected
            s.memberFile = member
            s.context = ctx
            s.wakeRead = fds[0]
            s.wakeWrite = fds[1]
            s.started = true
        }
        let thread = Thread { [self] in
            self.ioLoop(pub: pub, sub: sub)
        }
        thread.name = "bus-io"
        thread.start()
    }

    /// Binds or connects `socket`; a failure becomes a `MeshError` naming the endpoint, its role and the reason.
    private static func attach(_ socket: ZMQSocket, bind: Bool, _ endpoint: String, role: String) throws {
        do {
            if bind { try socket.bind(endpoint) } else { try socket.connect(endpoint) }
        } catch {
            throw MeshError.endpoint(role, endpoint, bind ? "bind" : "connect to", error)
        }
    }

    /// Queues a message; the sequence number of its topic's stream is assigned here, in call order.
    @discardableResult
    public func publish(topic: String, message: MeshMessage, tsEvent: Int64, tsInit: Int64) -> UInt64 {
        let (seq, fd) = shared.withLock { s in
            let slot = s.stream(topic)
            s.sequences[slot].seq += 1
            let seq = s.sequences[slot].seq
            s.outgoing.append(topicPrefix: s.sequences[slot].prefix, encoding: Envelope(
                topic: topic, source: source, seq: seq, tsEvent: tsEvent, tsInit: tsInit, message: message))
            return (seq, s.wakeUp())
        }
        wake(fd)
        return seq
    }

    /// Makes the next message on `topic` carry sequence number `seq + 1`: a restarted publisher continuing its
    /// stream where the previous process left it.
    public func continueSequence(topic: String, after seq: UInt64) {
        shared.withLock { s in s.sequences[s.stream(topic)].seq = seq }
    }

    /// Queues a message again with its original sequence number (an answer to `ctl.resend`); the stream's counter
    /// does not move.
    public func republish(topic: String, seq: UInt64, message: MeshMessage, tsEvent: Int64, tsInit: Int64) {
        let fd = shared.withLock { s in
            s.outgoing.append(topicPrefix: s.sequences[s.stream(topic)].prefix, encoding: Envelope(
                topic: topic, source: source, seq: seq, tsEvent: tsEvent, tsInit: tsInit, message: message))
            return s.wakeUp()
        }
        wake(fd)
    }

    /// Queues raw frames exactly as given (for tests and tools that must send malformed traffic).
    public func publishRaw(_ frames: [[UInt8]]) {
        let fd = shared.withLock { s in
            s.outgoing.entries.append(.raw(frames))
            return s.wakeUp()
        }
        wake(fd)
    }

    /// Whether a subscription that matches `topic` has reached this connection's publisher through the
    /// forwarder, so that a message on `topic` published now is delivered rather than filtered out.
    public func hasSubscriber(for topic: String) -> Bool {
        shared.withLock { $0.subscribed(topic) }
    }

    /// Waits until `hasSubscriber(for: topic)` holds: resumed by the I/O thread when the subscription arrives.
    /// Cancellation ends the wait with `CancellationError`.
    public func waitForSubscriber(for topic: String) async throws {
        let id = shared.withLock { s in
            s.nextSubscriberWaiter += 1
            return s.nextSubscriberWaiter
        }
        try await ConditionWait.wait(park: { c in
            shared.withLock { s in
                if s.subscribed(topic) { return .now }
                if Task.isCancelled { return .cancelled }
                s.subscriberWaiters[id] = (topic, c)
                return .parked
            }
        }, unpark: {
            self.shared.withLock { $0.subscriberWaiters.removeValue(forKey: id)?.continuation }
        })
    }

    public func currentStats() -> Stats {
        shared.withLock { $0.stats }
    }

    /// Flushes queued messages, closes the sockets and ends the I/O thread (at most about `timeout`).
    /// `stop()` for async code: the wait happens off Swift's cooperative pool, which it would otherwise block.
    public func shutdown(timeout: Duration = .seconds(2)) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.stop(timeout: timeout)
                done.resume()
            }
        }
    }

    public func stop(timeout: Duration = .seconds(2)) {
        let claimed: (fd: Int32, context: ZMQContext?)? = shared.withLock { s in
            guard s.started, !s.stopping else { return nil }
            s.stopping = true
            return (s.wakeWrite, s.context)
        }
        guard let (fd, ctx) = claimed else { return }
        wake(fd)
        let ms = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        if finished.wait(timeout: .now() + .milliseconds(ms)) == .timedOut {
            logger.warning("bus I/O thread slow to stop; shutting the context down")
            ctx?.shutdown()
            finished.wait()
        }
    }

    private func wake(_ fd: Int32) {
        guard fd >= 0 else { return }
        var byte: UInt8 = 1
        _ = write(fd, &byte, 1)   // EAGAIN: a wake-up is already pending
    }

    /// How long outgoing messages are held after connecting while no subscription has reached this process: a
    /// message sent before the connection to the forwarder is up would be lost (the slow-joiner problem).
    static let connectHold: UInt64 = 500_000_000

    /// How many received messages one turn of the I/O loop handles before it sends what they caused. A service
    /// forwards its work in pieces this size rather than after everything that has arrived: downstream services
    /// start on the first piece while this one handles the next, so a credit window's bars do not travel the
    /// pipeline as one convoy (measured on the 1M-bar replay: 128 beats both 32 and 1024 at windows 64 and 256).
    static let messagesPerTurn = 128

    private func ioLoop(pub: ZMQSocket, sub: ZMQSocket?) {
        let (wakeRead, wakeWrite, peersExpected) = shared.withLock { s in
            s.ioThread = pthread_self()
            return (s.wakeRead, s.wakeWrite, s.peersExpected)
        }
        var monitor = StreamMonitor()
        var items: [ZMQPoller.Item] = [.fileDescriptor(wakeRead), .socket(pub)]
        if let sub { items.append(.socket(sub)) }
        var poller = ZMQPoller(items)
        var drain = [UInt8](repeating: 0, count: 256)
        let holdUntil = DispatchTime.now().uptimeNanoseconds + Self.connectHold
        var connected = false
        var batch = OutgoingQueue()
        // Direct mode: no hold timeout; messages wait until every peer has subscribed here.
        let direct = peersExpected > 0
        let marker = [UInt8(1)] + Array(MeshEndpoints.peerMarker.utf8)
        var peersSubscribed = 0
        loop: while true {
            let ready: [Bool]
            var timeout = -1
            if !connected && !direct {
                let now = DispatchTime.now().uptimeNanoseconds
                timeout = now >= holdUntil ? 0 : Int((holdUntil - now) / 1_000_000) + 1
            }
            do {
                ready = try poller.poll(milliseconds: timeout)
            } catch {
                break loop   // ETERM: the context was shut down
            }
            if !connected && !direct && DispatchTime.now().uptimeNanoseconds >= holdUntil { connected = true }
            if ready[1] {
                // Subscription messages from the forwarder: the connection is up.
                while let frames = try? pub.receive(dontWait: true) {
                    guard let frame = frames.first, let kind = frame.first else { continue }
                    if direct {
                        if frame == marker {
                            peersSubscribed += 1
                            if peersSubscribed >= peersExpected { connected = true }
                            continue
                        }
                    } else {
                        connected = true
                    }
                    // [0x01, prefix…] subscribes, [0x00, prefix…] unsubscribes.
                    let satisfied = shared.withLock { s in
                        if kind == 1 { s.upstreamSubscriptions.insert(Array(frame.dropFirst())) }
                        else if kind == 0 { s.upstreamSubscriptions.remove(Array(frame.dropFirst())) }
                        var satisfied: [CheckedContinuation<Void, any Error>] = []
                        for (id, waiter) in s.subscriberWaiters where s.subscribed(waiter.topic) {
                            satisfied.append(waiter.continuation)
                            s.subscriberWaiters[id] = nil
                        }
                        return satisfied
                    }
                    for c in satisfied { c.resume() }
                }
            }
            if ready[0] {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            if let sub, ready[2] {
                // At most `messagesPerTurn` messages, then the loop sends what they caused and polls again.
                var received: [Event] = []
                var failed = false
                for _ in 0..<Self.messagesPerTurn {
                    do {
                        // Decoded straight from libzmq's buffer (no copy of the frame) and handed on in place.
                        // (What `check` returns about garbage is already counted and logged by the monitor.)
                        _ = try sub.receiveInPlace(dontWait: true) { count, frame in
                            monitor.check(frameCount: count, frame: frame, logger: logger) { envelope, missing in
                                if let onEvent {
                                    onEvent(envelope, missing)
                                } else {
                                    received.append(Event(envelope, missing: missing))
                                }
                            }
                        }
                    } catch let error as ZMQError where error.kind == .wouldBlock {
                        break
                    } catch {
                        failed = true
                        break
                    }
                }
                // One batch per turn: the consumer switches in once for all of it.
                if !received.isEmpty { continuation.yield(received) }
                onTurnEnd?()
                shared.withLock { s in
                    s.stats.messagesIn = monitor.received
                    s.stats.dropped = monitor.garbageCount
                    s.stats.gaps = monitor.gapCount
                    s.stats.lastSeq = monitor.lastSequence
                }
                if failed { break loop }
            }
            // Until connected (or the hold expires) queued messages wait, even when stopping: a short-lived
            // publisher would otherwise lose everything it queued.
            if connected {
                // Swap the queue with the spare one: neither is reallocated turn after turn.
                let isStopping = shared.withLock { s in
                    swap(&batch, &s.outgoing)
                    s.wakePending = false
                    return s.stopping
                }
                defer { batch.removeAll() }
                do {
                    try batch.bytes.withUnsafeBytes { bytes in
                        for entry in batch.entries {
                            switch entry {
                            case .message(let start, let count):
                                try pub.sendFrame(UnsafeRawBufferPointer(rebasing: bytes[start..<start + count]),
                                                  flags: 0)
                            case .raw(let frames):
                                try pub.send(frames)
                            }
                        }
                    }
                    shared.withLock { $0.stats.messagesOut += UInt64(batch.count) }
                } catch {
                    logger.error("bus send failed", metadata: ["error": "\(error)"])
                    if (error as? ZMQError)?.kind == .terminated { break loop }
                }
                if isStopping { break loop }
            } else if direct && shared.withLock({ $0.stopping }) {
                // Direct mode has no hold timeout: a connection stopped before all its peers subscribed (a peer
                // died first) has nobody complete to send to; it does not wait for them.
                break loop
            }
        }
        sub?.close()
        pub.close()
        let (context, memberFile) = shared.withLock { ($0.context, $0.memberFile) }
        context?.terminate()
        close(wakeRead)
        close(wakeWrite)
        if let memberFile { unlink(memberFile) }
        continuation.finish()
        finished.signal()
    }
}
