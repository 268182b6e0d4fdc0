import Foundation
import IBKRProtocol
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A connection to TWS/IB Gateway on its own I/O thread: connects, shakes hands through
/// `IBKRConnectionStateMachine`, delivers every decoded message on `events`, sends requests through the pacing
/// limiter, sends a `reqCurrentTime` heartbeat and treats a silent socket as dead, and reconnects with exponential
/// backoff until `stop()`.
///
/// Every message received is delivered: frames that arrived before a close are decoded and yielded before the
/// `disconnected` event, and `events` buffers without limit. Requests are accepted only while ready; those still
/// waiting for the pacing limiter when the socket closes come back in a `requestsNotSent` event.
public final class IBKRConnection: Sendable {
    /// How to reach TWS and how patient to be.
    public struct Configuration: Sendable {
        /// TWS/IB Gateway host, an IPv4 address.
        public var host: String
        /// The API port (TWS paper 7497, IB Gateway paper 4002 by default).
        public var port: Int
        /// The API client id, fixed for the trading engine.
        public var clientId: Int
        /// How often a `reqCurrentTime` goes out while ready.
        public var heartbeatInterval: Duration = .seconds(10)
        /// No byte from TWS for this long while ready: the connection is dead and is reopened.
        public var silenceTimeout: Duration = .seconds(30)
        /// Connect and become ready within this time, or try again.
        public var readyTimeout: Duration = .seconds(10)
        /// The first wait before reconnecting; doubled after each failed attempt.
        public var initialBackoff: Duration = .seconds(1)
        /// The longest wait before reconnecting.
        public var maximumBackoff: Duration = .seconds(30)
        /// The pacing limits.
        public var pacing = IBKRPacingLimiter.Limits()

        /// A configuration with the default timings.
        public init(host: String = "127.0.0.1", port: Int, clientId: Int) {
            self.host = host
            self.port = port
            self.clientId = clientId
        }
    }

    /// What the connection reports, in order.
    public enum Event: Sendable, Equatable {
        /// Handshake done, `nextValidId` and `managedAccounts` received: requests may be sent.
        case ready(IBKRSessionInfo)
        /// A message from TWS.
        case message(IBKRIncomingMessage)
        /// A message that could not be decoded was dropped (the error names the message and field).
        case decodeError(String)
        /// The socket closed or could not be opened; a reconnect follows after `reconnectIn`.
        case disconnected(reason: String, reconnectIn: Duration)
        /// Requests accepted but not yet sent when the socket closed (pacing held them back).
        case requestsNotSent([IBKRRequest])
    }

    private struct Shared {
        var queue: [(request: IBKRRequest, bytes: [UInt8])] = []
        var ready = false
        var stopping = false
        var started = false
    }

    /// Everything the connection reports, buffered without limit; finishes after `stop()`.
    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let configuration: Configuration
    private let logger: Logger
    private let shared = Mutex(Shared())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let finished = DispatchSemaphore(value: 0)

    /// A connection, not yet started.
    public init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the I/O thread (once).
    public func start() {
        let first = shared.withLock { state in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        let thread = Thread { [self] in
            var loop = IBKRConnectionLoop(configuration: configuration, logger: logger, connection: self)
            loop.run()
            continuation.finish()
            finished.signal()
        }
        thread.name = "ibkr-io"
        thread.start()
    }

    /// Queues a request; the I/O thread sends it when the pacing limiter allows. Throws when the request cannot
    /// be encoded or the connection is not ready.
    public func send(_ request: IBKRRequest) throws {
        let bytes = try request.encoded()
        let refusal: IBKRConnectionError? = shared.withLock { state in
            if state.stopping { return .stopped }
            if !state.ready { return .notReady(request.name) }
            state.queue.append((request, bytes))
            return nil
        }
        if let refusal { throw refusal }
        wakeUp()
    }

    /// Closes the socket, ends the I/O thread and finishes `events`. Waits for the thread.
    public func stop() {
        let wasStarted = shared.withLock { state in
            state.stopping = true
            return state.started
        }
        wakeUp()
        if wasStarted { finished.wait() }
    }

    // MARK: - For the I/O thread

    func wakeUp() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    var wakeDescriptor: Int32 { wakeRead }

    func drainWakeUps() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &bytes, bytes.count) > 0 {}
    }

    var isStopping: Bool { shared.withLock { $0.stopping } }

    func setReady(_ ready: Bool) -> [IBKRRequest] {
        shared.withLock { state in
            state.ready = ready
            guard !ready else { return [] }
            defer { state.queue.removeAll() }
            return state.queue.map(\.request)
        }
    }

    /// Queues a request from the I/O thread itself (the heartbeat).
    func enqueueInternal(_ request: IBKRRequest, bytes: [UInt8]) {
        shared.withLock { $0.queue.append((request, bytes)) }
    }

    /// The first queued request, if any.
    func peekQueue() -> IBKRRequest? {
        shared.withLock { $0.queue.first?.request }
    }

    /// Removes and returns the first queued request's bytes.
    func popQueue() -> [UInt8] {
        shared.withLock { $0.queue.removeFirst().bytes }
    }

    func emit(_ event: Event) {
        continuation.yield(event)
    }
}
