#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IBKRProtocol
import Logging

/// The serving thread's state: the listening socket, the clients with their byte buffers, the core and the next
/// clock step. Lives on that thread only.
struct TWSSimServerLoop {
    private struct Client {
        let descriptor: Int32
        /// Bytes before the hello is complete.
        var helloBytes: [UInt8] = []
        var greeted = false
        var decoder = IBKRFrameDecoder()
        var output: [UInt8] = []
    }

    private var core: TWSSimCore
    private let listener: Int32
    private let wake: Int32
    private let barInterval: Duration
    private let logger: Logger
    private var clients: [Int: Client] = [:]
    private var nextConnection = 1
    private let clock = ContinuousClock()
    private var nextStep: ContinuousClock.Instant

    init(core: TWSSimCore, listener: Int32, wake: Int32, barInterval: Duration, logger: Logger) {
        self.core = core
        self.listener = listener
        self.wake = wake
        self.barInterval = barInterval
        self.logger = logger
        nextStep = ContinuousClock.now + barInterval
    }

    mutating func run() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let ids = clients.keys.sorted()
            var polls = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                         pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            for id in ids {
                let client = clients[id]!
                let events = Int16(POLLIN) | (client.output.isEmpty ? 0 : Int16(POLLOUT))
                polls.append(pollfd(fd: client.descriptor, events: events, revents: 0))
            }
            let wait = max(Duration.zero, nextStep - clock.now)
            let (seconds, attoseconds) = wait.components
            let timeout = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1)
            _ = poll(&polls, nfds_t(polls.count), timeout)
            if polls[1].revents != 0 { break }
            if polls[0].revents & Int16(POLLIN) != 0 { acceptClients() }
            for (offset, id) in ids.enumerated() {
                let revents = polls[offset + 2].revents
                if revents & Int16(POLLOUT) != 0 { flush(id) }
                if revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { read(id, &buffer) }
            }
            if clock.now >= nextStep {
                nextStep = nextStep + barInterval
                perform(core.advance())
                if core.isAtEnd && core.steps > 0 {
                    logger.debug("the clock reached the last bar", metadata: ["bar": "\(core.barIndex)"])
                }
            }
        }
        for id in clients.keys.sorted() { drop(id) }
    }

    private mutating func acceptClients() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            clients[nextConnection] = Client(descriptor: fd)
            logger.info("client connected", metadata: ["connection": "\(nextConnection)"])
            nextConnection += 1
        }
    }

    private mutating func read(_ id: Int, _ buffer: inout [UInt8]) {
        guard let descriptor = clients[id]?.descriptor else { return }
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
        guard count > 0 else {
            drop(id)
            return
        }
        let bytes = buffer[0..<count]
        if clients[id]?.greeted == false {
            clients[id]?.helloBytes.append(contentsOf: bytes)
            greet(id)
        } else {
            clients[id]?.decoder.append(bytes)
        }
        while let client = clients[id], client.greeted {
            var decoder = client.decoder
            let frame: IBKRFrame?
            do {
                frame = try decoder.nextFrame()
            } catch {
                logger.warning("bad frame from client; closing it", metadata: ["connection": "\(id)",
                                                                                "error": "\(error)"])
                drop(id)
                return
            }
            clients[id]?.decoder = decoder
            guard let frame else { break }
            do {
                if let request = try IBKRRequestDecoder.decode(frame) {
                    perform(core.handle(request, from: id))
                } else {
                    let messageId = frame.fields.first.flatMap { Int($0) } ?? -1
                    perform(core.unsupported(messageId: messageId, from: id))
                }
            } catch {
                perform(core.undecodable(error.description, from: id))
            }
        }
    }

    /// Reads the hello; answers version 200 when the client's range includes it, else closes.
    private mutating func greet(_ id: Int) {
        guard let client = clients[id] else { return }
        let hello: IBKRHandshake.ClientHello?
        do {
            hello = try IBKRHandshake.clientHello(client.helloBytes)
        } catch {
            logger.warning("not a TWS API client; closing it", metadata: ["connection": "\(id)", "error": "\(error)"])
            drop(id)
            return
        }
        guard let hello else { return }
        let version = IBKRHandshake.supportedServerVersion
        guard (hello.minimumVersion...hello.maximumVersion).contains(version) else {
            logger.warning("client does not speak version 200; closing it",
                           metadata: ["connection": "\(id)",
                                      "range": "\(hello.minimumVersion)..\(hello.maximumVersion)"])
            drop(id)
            return
        }
        clients[id]?.greeted = true
        clients[id]?.decoder.append(client.helloBytes.dropFirst(hello.byteCount))
        clients[id]?.helloBytes = []
        core.connectionOpened(id)
        queue(IBKRHandshake.serverReplyBytes(serverVersion: version, connectionTime: core.connectionTimeText), to: id)
    }

    private mutating func perform(_ outputs: [TWSSimOutput]) {
        for output in outputs {
            switch output {
            case .send(let message, let id):
                do {
                    queue(try message.encoded(), to: id)
                } catch {
                    logger.error("message cannot be encoded", metadata: ["error": "\(error)"])
                }
            case .disconnect(let id):
                flush(id)
                logger.info("client disconnected by the simulator", metadata: ["connection": "\(id)"])
                drop(id)
            }
        }
    }

    private mutating func queue(_ bytes: [UInt8], to id: Int) {
        guard clients[id] != nil else { return }
        clients[id]?.output.append(contentsOf: bytes)
        flush(id)
    }

    private mutating func flush(_ id: Int) {
        guard let client = clients[id], !client.output.isEmpty else { return }
        let written = client.output.withUnsafeBytes {
            send(client.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
        if written > 0 {
            clients[id]?.output.removeFirst(written)
        } else if written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            drop(id)
        }
    }

    private mutating func drop(_ id: Int) {
        guard let client = clients.removeValue(forKey: id) else { return }
        close(client.descriptor)
        core.connectionClosed(id)
    }
}
