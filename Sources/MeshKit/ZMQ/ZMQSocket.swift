import CZMQ

#if canImport(Glibc)
import Glibc
#endif

/// A libzmq socket. **Not thread-safe**: one thread owns it for its whole life (in TradeMesh, the process's bus
/// I/O thread). It is `@unchecked Sendable` only so that it can be handed to that thread once.
public final class ZMQSocket: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    public let type: ZMQSocketType
    /// Kept alive by every socket: a context released before one of its sockets is closed would block in
    /// `zmq_ctx_term` forever (a failed bind or connect used to leave a process hanging that way, SIGTERM unheard).
    private let context: ZMQContext
    private var closed = false
    /// One receive buffer, initialised once at a stable heap address and never copied.
    private let message: UnsafeMutablePointer<zmq_msg_t>
    /// A scratch buffer for the frames after the first of a message received in place.
    private let extra: UnsafeMutablePointer<zmq_msg_t>

    public init(context: ZMQContext, type: ZMQSocketType) throws {
        guard let h = zmq_socket(context.handle, type.raw) else { throw ZMQError.last("zmq_socket") }
        handle = h
        self.type = type
        self.context = context
        message = .allocate(capacity: 1)
        zmq_msg_init(message)
        extra = .allocate(capacity: 1)
        zmq_msg_init(extra)
    }

    deinit {
        close()
        for m in [message, extra] {
            zmq_msg_close(m)
            m.deallocate()
        }
    }

    // MARK: Options

    public func setOption(_ option: Int32, _ value: Int32) throws {
        var v = value
        if zmq_setsockopt(handle, option, &v, MemoryLayout<Int32>.size) != 0 {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    public func setOption(_ option: Int32, bytes: [UInt8]) throws {
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        if rc != 0 { throw ZMQError.last("zmq_setsockopt(\(option))") }
    }

    public func getInt32Option(_ option: Int32) throws -> Int32 {
        var v: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(handle, option, &v, &size) != 0 { throw ZMQError.last("zmq_getsockopt(\(option))") }
        return v
    }

    /// Milliseconds that pending messages are kept after `close` (−1 = forever; TradeMesh never uses −1).
    public func setLinger(milliseconds: Int32) throws { try setOption(ZMQ_LINGER, milliseconds) }
    public func setSendHighWaterMark(_ n: Int32) throws { try setOption(ZMQ_SNDHWM, n) }
    public func setReceiveHighWaterMark(_ n: Int32) throws { try setOption(ZMQ_RCVHWM, n) }
    public func setReceiveTimeout(milliseconds: Int32) throws { try setOption(ZMQ_RCVTIMEO, milliseconds) }
    public func setSendTimeout(milliseconds: Int32) throws { try setOption(ZMQ_SNDTIMEO, milliseconds) }
    /// XPUB: block (or return EAGAIN) at the high-water mark instead of dropping.
    public func setXPubNoDrop(_ on: Bool) throws { try setOption(ZMQ_XPUB_NODROP, on ? 1 : 0) }
    /// XPUB: pass every subscription message up, duplicates included.
    public func setXPubVerbose(_ on: Bool) throws { try setOption(ZMQ_XPUB_VERBOSE, on ? 1 : 0) }
    public func subscribe(_ prefix: String) throws { try setOption(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8)) }
    public func unsubscribe(_ prefix: String) throws { try setOption(ZMQ_UNSUBSCRIBE, bytes: Array(prefix.utf8)) }
    /// CURVE server keys (Z85 text, 40 characters).
    public func setCurveServer(secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVER, 1)
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8))
    }
    /// CURVE client keys (Z85 text).
    public func setCurveClient(serverKey: String, publicKey: String, secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8))
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(publicKey.utf8))
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8))
    }

    // MARK: Endpoints

    public func bind(_ endpoint: String) throws {
        if zmq_bind(handle, endpoint) != 0 { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    /// The endpoint this socket last bound or connected, as libzmq resolved it: after binding
    /// `tcp://127.0.0.1:*`, the port the system picked (`ZMQ_LAST_ENDPOINT`).
    public func lastEndpoint() throws -> String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        if zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, &buffer, &size) != 0 {
            throw ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func connect(_ endpoint: String) throws {
        if zmq_connect(handle, endpoint) != 0 { throw ZMQError.last("zmq_connect(\(endpoint))") }
    }

    // MARK: Send and receive

    /// Sends all frames as one multipart message. EINTR is retried; EAGAIN (with `dontWait`) and ETERM throw.
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws {
        for (i, frame) in frames.enumerated() {
            var flags: Int32 = dontWait ? ZMQ_DONTWAIT : 0
            if i < frames.count - 1 { flags |= ZMQ_SNDMORE }
            try sendFrame(frame, flags: flags)
        }
    }

    /// Sends one frame with raw libzmq flags.
    public func sendFrame(_ frame: [UInt8], flags: Int32) throws {
        try frame.withUnsafeBytes { try sendFrame($0, flags: flags) }
    }

    /// Sends one frame (its bytes are copied) with raw libzmq flags.
    public func sendFrame(_ frame: UnsafeRawBufferPointer, flags: Int32) throws {
        while true {
            let rc = zmq_send(handle, frame.baseAddress, frame.count, flags)
            if rc >= 0 { return }
            let error = ZMQError.last("zmq_send")
            if error.kind != .interrupted { throw error }
        }
    }

    /// Receives one whole multipart message. EINTR is retried; EAGAIN (with `dontWait` or a receive timeout)
    /// and ETERM throw.
    public func receive(dontWait: Bool = false) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        repeat {
            frames.append(try receiveFrame(dontWait: dontWait && frames.isEmpty))
        } while zmq_msg_more(message) != 0
        return frames
    }

    /// Receives one whole message without copying it: `body` sees its number of frames and its first frame, valid
    /// only during the call (the frames after the first are received and discarded). EINTR is retried; EAGAIN
    /// (with `dontWait`) and ETERM throw.
    public func receiveInPlace<R>(dontWait: Bool = false,
                                  _ body: (_ frameCount: Int, _ first: UnsafeRawBufferPointer) throws -> R) throws -> R {
        try receiveInto(message, dontWait: dontWait)
        var count = 1
        var more = zmq_msg_more(message) != 0
        while more {
            try receiveInto(extra, dontWait: false)
            count += 1
            more = zmq_msg_more(extra) != 0
        }
        return try body(count, Self.bytes(of: message))
    }

    @inline(__always) private static func bytes(of m: UnsafeMutablePointer<zmq_msg_t>) -> UnsafeRawBufferPointer {
        let size = zmq_msg_size(m)
        guard size > 0, let data = zmq_msg_data(m) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: data, count: size)
    }

    private func receiveInto(_ m: UnsafeMutablePointer<zmq_msg_t>, dontWait: Bool) throws {
        while true {
            if zmq_msg_recv(m, handle, dontWait ? ZMQ_DONTWAIT : 0) >= 0 { return }
            let error = ZMQError.last("zmq_msg_recv")
            if error.kind != .interrupted { throw error }
        }
    }

    private func receiveFrame(dontWait: Bool) throws -> [UInt8] {
        while true {
            let rc = zmq_msg_recv(message, handle, dontWait ? ZMQ_DONTWAIT : 0)
            if rc >= 0 {
                let size = zmq_msg_size(message)
                guard size > 0, let data = zmq_msg_data(message) else { return [] }
                return [UInt8](UnsafeRawBufferPointer(start: data, count: size))
            }
            let error = ZMQError.last("zmq_msg_recv")
            if error.kind != .interrupted { throw error }
        }
    }

    /// Closes the socket (idempotent). Set a finite linger first so that `zmq_ctx_term` cannot block on it.
    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(handle)
    }
}
