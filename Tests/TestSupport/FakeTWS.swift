import Foundation
import IBKRProtocol
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small TWS stand-in on 127.0.0.1, port 0 (the port is read back): answers the handshake with a scripted
/// version, `startApi` with managedAccounts + a farm notice + nextValidId, `reqCurrentTime` with currentTime (unless
/// told not to), records every request's fields, and can push frames or drop the client on demand. A `responder`
/// answers the other requests (a scripted order flow).
public final class FakeTWS: Sendable {
    /// What the server says at connect.
    public struct Script: Sendable {
        public var serverVersion = "200"
        public var accounts = "DU1234567"
        public var nextValidId = 1001
        public var answersCurrentTime = true

        public init() {}
    }

    /// Answers one request (its fields, message id first) with messages (field lists) to send back.
    public typealias Responder = @Sendable (_ request: [String]) -> [[String]]

    private struct State {
        var script: Script
        var received: [[String]] = []
        var connections = 0
        var pushes: [[UInt8]] = []
        var dropRequested = false
        var stopping = false
    }

    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let listener: Int32
    private let state: Mutex<State>
    private let done = Mutex(false)
    private let responder: Responder?

    /// A server on a free port, serving one client at a time.
    public init(script: Script = Script(), responder: Responder? = nil) {
        state = Mutex(State(script: script))
        self.responder = responder
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var one: Int32 = 1
        _ = setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        _ = listen(listener, 4)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: bound.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// Every request received, as field lists (message id first), over all connections.
    public var received: [[String]] { state.withLock { $0.received } }
    /// How many clients connected so far.
    public var connections: Int { state.withLock { $0.connections } }

    /// Sends a frame with these fields to the current client.
    public func push(_ fields: [String]) {
        let frame = IBKRFrame(payload: fields.flatMap { Array($0.utf8) + [0] }).wireBytes
        state.withLock { $0.pushes.append(frame) }
    }

    /// Closes the current client's socket after the pushes queued so far.
    public func dropClient() {
        state.withLock { $0.dropRequested = true }
    }

    /// Replaces what the server says at the next connect.
    public func setScript(_ script: Script) {
        state.withLock { $0.script = script }
    }

    /// Stops serving and closes the listener.
    public func stop() {
        state.withLock { $0.stopping = true }
        while !done.withLock({ $0 }) { usleep(1000) }
        close(listener)
    }

    private func serve() {
        defer { done.withLock { $0 = true } }
        while !state.withLock({ $0.stopping }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 20) == 1 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            state.withLock { $0.connections += 1 }
            serveClient(client)
            close(client)
        }
    }

    private func sendAll(_ client: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes {
                send(client, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { return }
            offset += count
        }
    }

    private func frame(_ fields: [String]) -> [UInt8] {
        IBKRFrame(payload: fields.flatMap { Array($0.utf8) + [0] }).wireBytes
    }

    private func serveClient(_ client: Int32) {
        var pending: [UInt8] = []
        var handshakeDone = false
        var decoder = IBKRFrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let (stopping, drop, pushes, script) = state.withLock { state in
                defer {
                    state.pushes.removeAll()
                    state.dropRequested = false
                }
                return (state.stopping, state.dropRequested, state.pushes, state.script)
            }
            for bytes in pushes { sendAll(client, bytes) }
            if stopping || drop { return }
            var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 10) == 1 else { continue }
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            if !handshakeDone {
                pending += buffer[0..<count]
                guard pending.count >= 8 else { continue }
                let length = Int(pending[4]) << 24 | Int(pending[5]) << 16 | Int(pending[6]) << 8 | Int(pending[7])
                guard pending.count >= 8 + length else { continue }
                handshakeDone = true
                sendAll(client, frame([script.serverVersion, "20250102 09:00:00 US/Eastern"]))
                decoder.append(pending[(8 + length)...])
            } else {
                decoder.append(buffer[0..<count])
            }
            while let request = try? decoder.nextFrame() {
                let fields = request.fields
                state.withLock { $0.received.append(fields) }
                switch fields.first {
                case "71":
                    sendAll(client, frame(["15", "1", script.accounts]))
                    sendAll(client, frame(["4", "-1", "2104", "Market data farm connection is OK:usfarm", "",
                                           "1735826400123"]))
                    sendAll(client, frame(["9", "1", String(script.nextValidId)]))
                case "49" where script.answersCurrentTime:
                    sendAll(client, frame(["49", "1", "1735826400"]))
                case "8":
                    sendAll(client, frame(["9", "1", String(script.nextValidId)]))
                default:
                    for reply in responder?(fields) ?? [] { sendAll(client, frame(reply)) }
                }
            }
        }
    }
}
