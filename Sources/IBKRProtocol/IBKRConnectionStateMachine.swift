/// The connection's protocol logic as a pure state machine: it is told what happened (socket connected, a frame
/// arrived, the socket closed) and answers with what to do (send bytes, deliver a message, report ready, report
/// an error, fail the connection). No sockets, threads or clocks: the connection layer owns those and tests drive
/// this directly.
///
/// States: idle → connecting → handshaking (hello sent, waiting for the server version) → awaitingReady (startApi
/// sent, waiting for `nextValidId` and `managedAccounts`) → ready. A negotiated version other than 200 fails the
/// connection. After a close it can connect again (a reconnect starts from the handshake).
public struct IBKRConnectionStateMachine: Sendable {
    /// Where the connection is.
    public enum State: Sendable, Equatable {
        /// Not connected and not trying.
        case idle
        /// Opening the socket.
        case connecting
        /// Hello sent; waiting for the server version.
        case handshaking
        /// `startApi` sent; waiting for `nextValidId` and `managedAccounts`.
        case awaitingReady
        /// Ready for requests.
        case ready
        /// The socket closed (or was failed); `startConnecting()` may be called again.
        case closed
    }

    /// What the connection layer must do after an event.
    public enum Action: Sendable, Equatable {
        /// Nothing.
        case none
        /// Write these bytes to the socket.
        case send([UInt8])
        /// Hand this message to the client.
        case deliver(IBKRIncomingMessage)
        /// The connection is ready; the session facts.
        case reportReady(IBKRSessionInfo)
        /// A message could not be decoded and was dropped; the connection stays up.
        case reportError(IBKRProtocolError)
        /// Close the socket and report this error.
        case failConnection(IBKRProtocolError)
    }

    /// The API client id sent in `startApi`.
    public let clientId: Int
    /// Where the connection is.
    public private(set) var state: State = .idle
    /// The facts of the current (or last) session, once ready.
    public private(set) var session: IBKRSessionInfo?
    private let startApi: [UInt8]
    private var serverReply: IBKRHandshake.ServerReply?
    private var nextValidId: Int?
    private var accounts: [String]?

    /// A state machine for API client `clientId`, sending no optional capabilities (the usual case).
    public init(clientId: Int) {
        self.clientId = clientId
        startApi = IBKRRequest.startApiBytes(clientId: clientId)
    }

    /// A state machine for API client `clientId` with optional capabilities. Throws when they hold a character
    /// TWS refuses.
    public init(clientId: Int, optionalCapabilities: String) throws(IBKRProtocolError) {
        self.clientId = clientId
        startApi = try IBKRRequest.startApi(clientId: clientId, optionalCapabilities: optionalCapabilities).encoded()
    }

    /// The connection layer starts opening the socket.
    public mutating func startConnecting() -> Action {
        guard state == .idle || state == .closed else { return .none }
        state = .connecting
        serverReply = nil
        nextValidId = nil
        accounts = nil
        return .none
    }

    /// The socket is open: send the hello.
    public mutating func socketConnected() -> Action {
        guard state == .connecting else {
            return .failConnection(.unexpectedMessage("socket connected while \(state); expected connecting"))
        }
        state = .handshaking
        return .send(IBKRHandshake.clientHello())
    }

    /// A whole frame arrived.
    public mutating func frameReceived(_ frame: IBKRFrame) -> Action {
        switch state {
        case .idle, .connecting, .closed:
            return .none
        case .handshaking:
            return handshakeReply(frame)
        case .awaitingReady:
            let message: IBKRIncomingMessage
            do { message = try IBKRMessageDecoder.decode(frame) } catch { return .reportError(error) }
            switch message {
            case .nextValidId(let id):
                nextValidId = id
            case .managedAccounts(let list) where !list.isEmpty:
                accounts = list
            default:
                return .deliver(message)
            }
            guard let serverReply, let nextValidId, let accounts else { return .none }
            let info = IBKRSessionInfo(serverVersion: serverReply.serverVersion,
                                       connectionTime: serverReply.connectionTime, nextValidId: nextValidId,
                                       accounts: accounts)
            session = info
            state = .ready
            return .reportReady(info)
        case .ready:
            do {
                let message = try IBKRMessageDecoder.decode(frame)
                if case .nextValidId(let id) = message { session?.nextValidId = id }
                return .deliver(message)
            } catch {
                return .reportError(error)
            }
        }
    }

    private mutating func handshakeReply(_ frame: IBKRFrame) -> Action {
        let reply: IBKRHandshake.ServerReply?
        do { reply = try IBKRHandshake.serverReply(frame) } catch { return fail(error) }
        guard let reply else { return .none }  // something other than the reply came first: skip it
        guard reply.serverVersion == IBKRHandshake.supportedServerVersion else {
            return fail(.unsupportedServerVersion(reply.serverVersion,
                                                  supported: IBKRHandshake.supportedServerVersion))
        }
        serverReply = reply
        state = .awaitingReady
        return .send(startApi)
    }

    /// The byte stream could not be framed (bad length): the connection must close.
    public mutating func framingFailed(_ error: IBKRProtocolError) -> Action {
        fail(error)
    }

    /// The socket closed. Before ready this is a failed connection (often error 326, client id in use).
    public mutating func socketClosed() -> Action {
        let before = state
        state = .closed
        switch before {
        case .connecting, .handshaking, .awaitingReady:
            return .failConnection(.unexpectedMessage("the socket closed while \(before), before the connection "
                                                      + "was ready (client id \(clientId) in use, API disabled, or "
                                                      + "an untrusted address?)"))
        case .idle, .ready, .closed:
            return .none
        }
    }

    private mutating func fail(_ error: IBKRProtocolError) -> Action {
        state = .closed
        return .failConnection(error)
    }
}
