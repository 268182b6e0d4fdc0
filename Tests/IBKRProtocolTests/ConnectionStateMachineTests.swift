import IBKRProtocol
import Testing

@Suite struct ConnectionStateMachineTests {
    static func frame(_ fields: [String]) -> IBKRFrame {
        IBKRFrame(payload: Fixtures.payload(fields))
    }

    static let reply200 = frame(["200", "20250102 09:00:00 US/Eastern"])
    static let accounts = frame(["15", "1", "DU1234567"])
    static let nextId = frame(["9", "1", "1001"])
    static let farmOK = frame(["4", "-1", "2104", "Market data farm connection is OK:usfarm", "", "1735826400123"])

    /// A machine through the handshake, waiting for nextValidId and managedAccounts.
    static func awaitingReady() throws -> IBKRConnectionStateMachine {
        var machine = IBKRConnectionStateMachine(clientId: 1)
        _ = machine.startConnecting()
        _ = machine.socketConnected()
        _ = machine.frameReceived(reply200)
        #expect(machine.state == .awaitingReady)
        return machine
    }

    /// A machine that is ready.
    static func ready() throws -> IBKRConnectionStateMachine {
        var machine = try awaitingReady()
        _ = machine.frameReceived(accounts)
        _ = machine.frameReceived(nextId)
        #expect(machine.state == .ready)
        return machine
    }

    @Test func handshakeThenStartApiThenReadyOnBoth() throws {
        var machine = IBKRConnectionStateMachine(clientId: 1)
        #expect(machine.state == .idle)
        #expect(machine.startConnecting() == .none)
        #expect(machine.state == .connecting)
        let hello = Fixtures.bytes(try #require(Fixtures.file.client_messages["handshake"]).hex)
        #expect(machine.socketConnected() == .send(hello))
        #expect(machine.state == .handshaking)
        let startApi = Fixtures.bytes(try #require(Fixtures.file.client_messages["startApi"]).hex)
        #expect(machine.frameReceived(Self.reply200) == .send(startApi))
        #expect(machine.state == .awaitingReady)

        // Messages before ready are delivered, not dropped.
        guard case .deliver(.error(let notice)) = machine.frameReceived(Self.farmOK) else {
            Issue.record("the farm notice was not delivered")
            return
        }
        #expect(notice.code == 2104)
        #expect(machine.frameReceived(Self.accounts) == .none)
        #expect(machine.state == .awaitingReady)
        let info = IBKRSessionInfo(serverVersion: 200, connectionTime: "20250102 09:00:00 US/Eastern",
                                   nextValidId: 1001, accounts: ["DU1234567"])
        #expect(machine.frameReceived(Self.nextId) == .reportReady(info))
        #expect(machine.state == .ready)
        #expect(machine.session == info)
    }

    @Test func readyInEitherOrder() throws {
        var machine = try Self.awaitingReady()
        #expect(machine.frameReceived(Self.nextId) == .none)
        guard case .reportReady(let info) = machine.frameReceived(Self.accounts) else {
            Issue.record("not ready after nextValidId then managedAccounts")
            return
        }
        #expect(info.nextValidId == 1001)
        #expect(info.accounts == ["DU1234567"])
    }

    @Test func emptyAccountListDoesNotMakeItReady() throws {
        var machine = try Self.awaitingReady()
        _ = machine.frameReceived(Self.nextId)
        #expect(machine.frameReceived(Self.frame(["15", "1", ""])) == .deliver(.managedAccounts([])))
        #expect(machine.state == .awaitingReady)
    }

    @Test(arguments: ["187", "199", "201", "226"])
    func refusesAnyVersionButTwoHundred(version: String) throws {
        var machine = IBKRConnectionStateMachine(clientId: 1)
        _ = machine.startConnecting()
        _ = machine.socketConnected()
        let error = try #require(machine.frameReceived(Self.frame([version, "time"])).failure,
                                 "version \(version) was accepted")
        #expect(error.isUnsupportedVersion)
        #expect(error.description.contains(version))
        #expect(machine.state == .closed)
    }

    @Test func nonNumericVersionFails() throws {
        var machine = IBKRConnectionStateMachine(clientId: 1)
        _ = machine.startConnecting()
        _ = machine.socketConnected()
        #expect(machine.frameReceived(Self.frame(["v200", "time"])).failure != nil)
    }

    @Test func otherFramesBeforeTheReplyAreSkipped() throws {
        var machine = IBKRConnectionStateMachine(clientId: 1)
        _ = machine.startConnecting()
        _ = machine.socketConnected()
        #expect(machine.frameReceived(Self.frame(["news", "a", "b"])) == .none)
        #expect(machine.state == .handshaking)
        guard case .send = machine.frameReceived(Self.reply200) else {
            Issue.record("the reply after a stray frame was not taken")
            return
        }
    }

    @Test func readyDeliversEverythingAndTracksNextValidId() throws {
        var machine = try Self.ready()
        #expect(machine.frameReceived(Self.frame(["9", "1", "2000"])) == .deliver(.nextValidId(2000)))
        #expect(machine.session?.nextValidId == 2000)
        #expect(machine.frameReceived(Self.frame(["49", "1", "1735826400"])) == .deliver(.currentTime(1_735_826_400)))
        #expect(machine.frameReceived(Self.frame(["777", "1"])) == .deliver(.skipped(messageId: 777)))
        let action = machine.frameReceived(Self.frame(["9", "1", "oops"]))
        #expect(action.reportedError?.description.contains("nextValidId") == true)
        #expect(machine.state == .ready)
    }

    @Test func closeBeforeReadyFailsAndReconnectStartsOver() throws {
        var machine = try Self.awaitingReady()
        #expect(machine.socketClosed().failure?.description.contains("client id 1") == true)
        #expect(machine.state == .closed)
        #expect(machine.frameReceived(Self.nextId) == .none)

        #expect(machine.startConnecting() == .none)
        guard case .send = machine.socketConnected() else {
            Issue.record("no hello on reconnect")
            return
        }
        _ = machine.frameReceived(Self.reply200)
        #expect(machine.frameReceived(Self.nextId) == .none)  // the old session's facts were forgotten
        guard case .reportReady = machine.frameReceived(Self.accounts) else {
            Issue.record("not ready after reconnect")
            return
        }
    }

    @Test func closeWhenReadyIsNotAFailure() throws {
        var machine = try Self.ready()
        #expect(machine.socketClosed() == .none)
        #expect(machine.state == .closed)
    }

    @Test func framingErrorClosesTheConnection() throws {
        var machine = try Self.awaitingReady()
        var decoder = IBKRFrameDecoder()
        decoder.append([0xFF, 0xFF, 0xFF, 0xFF])
        do {
            _ = try decoder.nextFrame()
            Issue.record("a bad length was accepted")
        } catch {
            #expect(machine.framingFailed(error).failure?.isFramingError == true)
            #expect(machine.state == .closed)
        }
    }

    @Test func socketConnectedOutOfOrderFails() throws {
        var machine = IBKRConnectionStateMachine(clientId: 1)
        #expect(machine.socketConnected().failure != nil)
    }

    @Test func capabilitiesMustBePrintable() {
        #expect(throws: IBKRProtocolError.self) {
            try IBKRConnectionStateMachine(clientId: 1, optionalCapabilities: "\u{0}")
        }
    }
}

extension IBKRConnectionStateMachine.Action {
    /// The error of `.failConnection`, nil for any other action.
    var failure: IBKRProtocolError? {
        if case .failConnection(let error) = self { error } else { nil }
    }

    /// The error of `.reportError`, nil for any other action.
    var reportedError: IBKRProtocolError? {
        if case .reportError(let error) = self { error } else { nil }
    }
}
