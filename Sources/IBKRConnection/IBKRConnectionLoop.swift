import IBKRProtocol
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The I/O thread's work: one socket at a time, read → frames → state machine → events; queue → pacing limiter →
/// writes; heartbeat; reconnect with backoff. Only the I/O thread touches it.
struct IBKRConnectionLoop {
    private let configuration: IBKRConnection.Configuration
    private let logger: Logger
    private let connection: IBKRConnection
    private let clock = ContinuousClock()
    private let origin: ContinuousClock.Instant
    private var machine: IBKRConnectionStateMachine
    private var limiter: IBKRPacingLimiter
    private var openHistorical: Set<Int> = []
    private let heartbeat: [UInt8]

    init(configuration: IBKRConnection.Configuration, logger: Logger, connection: IBKRConnection) {
        self.configuration = configuration
        self.logger = logger
        self.connection = connection
        origin = clock.now
        machine = IBKRConnectionStateMachine(clientId: configuration.clientId)
        limiter = IBKRPacingLimiter(limits: configuration.pacing)
        // reqCurrentTime has no text field, so it always encodes.
        heartbeat = (try? IBKRRequest.reqCurrentTime.encoded()) ?? []
    }

    /// Connects, serves, reconnects until the connection is stopped.
    mutating func run() {
        var backoff = configuration.initialBackoff
        while !connection.isStopping {
            _ = machine.startConnecting()
            var reason: String
            var wasReady = false
            do {
                let socket = try IBKRSocket(host: configuration.host, port: configuration.port,
                                            timeout: configuration.readyTimeout)
                logger.info("ibkr.connected", metadata: ["host": "\(configuration.host)",
                                                         "port": "\(configuration.port)"])
                (reason, wasReady) = serve(socket)
            } catch {
                reason = error.description
            }
            _ = machine.socketClosed()
            let unsent = connection.setReady(false)
            if !unsent.isEmpty { connection.emit(.requestsNotSent(unsent)) }
            if connection.isStopping { break }
            if wasReady { backoff = configuration.initialBackoff }
            logger.warning("ibkr.disconnected", metadata: ["reason": "\(reason)", "retryIn": "\(backoff)"])
            connection.emit(.disconnected(reason: reason, reconnectIn: backoff))
            pause(backoff)
            backoff = min(backoff * 2, configuration.maximumBackoff)
        }
    }

    /// Waits `duration` unless the connection is stopped first.
    private func pause(_ duration: Duration) {
        let deadline = clock.now + duration
        while !connection.isStopping, clock.now < deadline {
            var poller = pollfd(fd: connection.wakeDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, Int32(clamping: (deadline - clock.now).milliseconds))
            connection.drainWakeUps()
        }
    }

    /// Serves one socket until it closes or fails; returns why, and whether it became ready.
    private mutating func serve(_ socket: borrowing IBKRSocket) -> (String, Bool) {
        var decoder = IBKRFrameDecoder()
        var output: [UInt8] = []
        var written = 0
        var input = [UInt8](repeating: 0, count: 64 * 1024)
        let connectedAt = clock.now
        var lastReceived = connectedAt
        var lastHeartbeat = connectedAt
        var wasReady = false
        limiter.connectionReset()
        openHistorical.removeAll()
        if case .send(let hello) = machine.socketConnected() { output += hello }

        while !connection.isStopping {
            let now = clock.now
            var wake = now + .seconds(1)
            if machine.state == .ready {
                if now - lastHeartbeat >= configuration.heartbeatInterval {
                    connection.enqueueInternal(.reqCurrentTime, bytes: heartbeat)
                    lastHeartbeat = now
                }
                if now - lastReceived >= configuration.silenceTimeout {
                    return ("no data from TWS for \(configuration.silenceTimeout); the connection is dead", wasReady)
                }
                wake = min(wake, lastHeartbeat + configuration.heartbeatInterval,
                           lastReceived + configuration.silenceTimeout)
                if let waitUntil = sendPaced(into: &output, now: now) { wake = min(wake, waitUntil) }
            } else if now - connectedAt >= configuration.readyTimeout {
                return ("not ready within \(configuration.readyTimeout) of connecting", wasReady)
            } else {
                wake = min(wake, connectedAt + configuration.readyTimeout)
            }

            if written < output.count {
                do { written += try socket.write(output, from: written) } catch { return (error.description, wasReady) }
                if written == output.count {
                    output.removeAll(keepingCapacity: true)
                    written = 0
                }
            }

            var pollers = [
                pollfd(fd: socket.descriptor, events: Int16(POLLIN) | (written < output.count ? Int16(POLLOUT) : 0),
                       revents: 0),
                pollfd(fd: connection.wakeDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&pollers, 2, Int32(clamping: (wake - clock.now).milliseconds))
            if pollers[1].revents != 0 { connection.drainWakeUps() }
            guard pollers[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 else { continue }

            // Read everything available, deliver every whole frame, then act on a close.
            var closed = false
            while true {
                let count: Int?
                do { count = try socket.read(into: &input) } catch { return (error.description, wasReady) }
                guard let count else { break }
                if count == 0 {
                    closed = true
                    break
                }
                lastReceived = clock.now
                decoder.append(input[0..<count])
                do {
                    while let frame = try decoder.nextFrame() {
                        if let failure = handle(machine.frameReceived(frame), output: &output, wasReady: &wasReady,
                                                lastHeartbeat: &lastHeartbeat) {
                            return (failure, wasReady)
                        }
                    }
                } catch {
                    _ = machine.framingFailed(error)
                    return (error.description, wasReady)
                }
            }
            if closed { return ("TWS closed the connection", wasReady) }
        }
        return ("stopped", wasReady)
    }

    /// Acts on one state machine action; returns a reason when the connection must close.
    private mutating func handle(_ action: IBKRConnectionStateMachine.Action, output: inout [UInt8],
                                 wasReady: inout Bool, lastHeartbeat: inout ContinuousClock.Instant) -> String? {
        switch action {
        case .none:
            return nil
        case .send(let bytes):
            output += bytes
            return nil
        case .deliver(let message):
            finishHistorical(after: message)
            connection.emit(.message(message))
            return nil
        case .reportReady(let info):
            wasReady = true
            lastHeartbeat = clock.now
            _ = connection.setReady(true)
            logger.info("ibkr.ready", metadata: ["nextValidId": "\(info.nextValidId)",
                                                 "accounts": "\(info.accounts.joined(separator: ","))"])
            connection.emit(.ready(info))
            return nil
        case .reportError(let error):
            logger.error("ibkr.undecodable", metadata: ["error": "\(error)"])
            connection.emit(.decodeError(error.description))
            return nil
        case .failConnection(let error):
            return error.description
        }
    }

    /// Moves queued requests into `output` while the limiter allows; returns when to try again if it held one.
    private mutating func sendPaced(into output: inout [UInt8], now: ContinuousClock.Instant)
        -> ContinuousClock.Instant? {
        let elapsed = now - origin
        while let request = connection.peekQueue() {
            switch limiter.decision(for: request, now: elapsed) {
            case .sendNow:
                output += connection.popQueue()
                limiter.recordSent(request, now: elapsed)
                switch request {
                case .reqHistoricalData(let history): openHistorical.insert(history.reqId)
                case .cancelHistoricalData(let reqId):
                    if openHistorical.remove(reqId) != nil { limiter.historicalRequestFinished() }
                default: break
                }
            case .wait(let until):
                return origin + until
            case .waitForOpenHistoricalRequest:
                return nil
            }
        }
        return nil
    }

    /// A historical request ends with its end message or an error naming it.
    private mutating func finishHistorical(after message: IBKRIncomingMessage) {
        let reqId: Int
        switch message {
        case .historicalDataEnd(let id, _, _): reqId = id
        case .error(let error): reqId = error.reqId
        default: return
        }
        if openHistorical.remove(reqId) != nil { limiter.historicalRequestFinished() }
    }
}
