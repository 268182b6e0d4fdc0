import IBKRConnection
import IBKRProtocol
import TestSupport
import Logging
import Testing

/// The connection against a real TCP server on 127.0.0.1 (port 0): handshake, requests, heartbeat, reconnect,
/// refused versions, dead-socket detection, pacing. Every wait is for a condition, bounded by the time limit.
@Suite(.timeLimit(.minutes(1)))
struct IBKRConnectionTests {
    static func connection(to tws: FakeTWS, configure: (inout IBKRConnection.Configuration) -> Void = { _ in })
        -> IBKRConnection {
        var configuration = IBKRConnection.Configuration(port: tws.port, clientId: 7)
        configuration.initialBackoff = .milliseconds(10)
        configuration.maximumBackoff = .milliseconds(50)
        // Heartbeats only where a test asks for them: an unasked reqCurrentTime would change what the server sees.
        configuration.heartbeatInterval = .seconds(60)
        configure(&configuration)
        return IBKRConnection(configuration: configuration, logger: Logger(label: "ibkr-test"))
    }

    /// Reads events until `stop` says so; returns them all.
    static func events(of connection: IBKRConnection,
                       until stop: ([IBKRConnection.Event]) -> Bool) async -> [IBKRConnection.Event] {
        var seen: [IBKRConnection.Event] = []
        for await event in connection.events {
            seen.append(event)
            if stop(seen) { break }
        }
        return seen
    }

    /// Waits until `condition` holds.
    static func waitUntil(_ condition: () -> Bool) async throws {
        while !condition() { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func becomesReadyAndRoundTripsARequest() async throws {
        let tws = FakeTWS()
        defer { tws.stop() }
        let connection = Self.connection(to: tws)
        #expect(throws: IBKRConnectionError.self) { try connection.send(.reqCurrentTime) }
        connection.start()
        defer { connection.stop() }

        let ready = await Self.events(of: connection) { $0.contains { if case .ready = $0 { true } else { false } } }
        let session = IBKRSessionInfo(serverVersion: 200, connectionTime: "20250102 09:00:00 US/Eastern",
                                      nextValidId: 1001, accounts: ["DU1234567"])
        #expect(ready.last == .ready(session))
        #expect(tws.received.first == ["71", "2", "7", ""])

        try connection.send(.reqCurrentTime)
        let answered = await Self.events(of: connection) { $0.last == .message(.currentTime(1_735_826_400)) }
        // The farm notice that came between managedAccounts and nextValidId was delivered, not dropped.
        #expect((ready + answered).contains { if case .message(.error(let error)) = $0 { error.code == 2104 } else { false } })
    }

    @Test func heartbeatGoesOutUnasked() async throws {
        let tws = FakeTWS()
        defer { tws.stop() }
        let connection = Self.connection(to: tws) { $0.heartbeatInterval = .milliseconds(20) }
        connection.start()
        defer { connection.stop() }
        try await Self.waitUntil { tws.received.filter { $0.first == "49" }.count >= 3 }
    }

    @Test func deliversEverythingBeforeACloseThenReconnects() async throws {
        let tws = FakeTWS()
        defer { tws.stop() }
        let connection = Self.connection(to: tws)
        connection.start()
        defer { connection.stop() }
        _ = await Self.events(of: connection) { $0.contains { if case .ready = $0 { true } else { false } } }

        for index in 0..<200 {
            tws.push(["61", "3", "DU1234567", String(index), "S\(index)", "STK", "", "0", "", "", "SMART", "USD",
                      "S\(index)", "NMS", "10", "1.5"])
        }
        tws.dropClient()
        let events = await Self.events(of: connection) { seen in
            seen.contains { if case .ready = $0 { true } else { false } }
        }
        let positions = events.compactMap { event -> Int? in
            if case .message(.position(let position)) = event { position.contract.conId } else { nil }
        }
        #expect(positions == Array(0..<200))
        let closeIndex = try #require(events.firstIndex { if case .disconnected = $0 { true } else { false } })
        let lastPosition = try #require(events.lastIndex { if case .message(.position) = $0 { true } else { false } })
        #expect(lastPosition < closeIndex)
        #expect(tws.connections == 2)
    }

    @Test func refusesAnotherServerVersionAndKeepsTrying() async throws {
        var script = FakeTWS.Script()
        script.serverVersion = "199"
        let tws = FakeTWS(script: script)
        defer { tws.stop() }
        let connection = Self.connection(to: tws)
        connection.start()
        defer { connection.stop() }
        let events = await Self.events(of: connection) { seen in
            seen.filter { if case .disconnected = $0 { true } else { false } }.count >= 2
        }
        guard case .disconnected(let reason, _) = events.first else {
            Issue.record("first event: \(String(describing: events.first))")
            return
        }
        #expect(reason.contains("199"))
        #expect(!events.contains { if case .ready = $0 { true } else { false } })
    }

    @Test func aSilentConnectionIsReopened() async throws {
        var script = FakeTWS.Script()
        script.answersCurrentTime = false
        let tws = FakeTWS(script: script)
        defer { tws.stop() }
        let connection = Self.connection(to: tws) {
            $0.heartbeatInterval = .milliseconds(20)
            $0.silenceTimeout = .milliseconds(150)
        }
        connection.start()
        defer { connection.stop() }
        let events = await Self.events(of: connection) { seen in
            seen.contains { if case .disconnected = $0 { true } else { false } }
        }
        guard case .disconnected(let reason, _) = events.last else {
            Issue.record("no disconnect")
            return
        }
        #expect(reason.contains("no data"))
    }

    @Test func pacedRequestsAllGoOutInOrder() async throws {
        let tws = FakeTWS()
        defer { tws.stop() }
        let connection = Self.connection(to: tws) {
            $0.pacing.messagesPerWindow = 3
            $0.pacing.messageWindow = .milliseconds(30)
        }
        connection.start()
        defer { connection.stop() }
        _ = await Self.events(of: connection) { $0.contains { if case .ready = $0 { true } else { false } } }
        for reqId in 0..<10 { try connection.send(.cancelAccountSummary(reqId: reqId)) }
        try await Self.waitUntil { tws.received.filter { $0.first == "63" }.count == 10 }
        #expect(tws.received.filter { $0.first == "63" }.map { $0[2] } == (0..<10).map(String.init))
    }

    @Test func aHistoricalRequestStaysOpenUntilItsEnd() async throws {
        let tws = FakeTWS()
        defer { tws.stop() }
        let connection = Self.connection(to: tws) { $0.pacing.openHistoricalRequests = 1 }
        connection.start()
        defer { connection.stop() }
        _ = await Self.events(of: connection) { $0.contains { if case .ready = $0 { true } else { false } } }
        for (reqId, symbol) in [(1, "AAPL"), (2, "MSFT")] {
            try connection.send(.reqHistoricalData(IBKRHistoricalDataRequest(
                reqId: reqId, contract: .stock(symbol), duration: "1 D", barSize: "5 mins")))
        }
        try connection.send(.reqCurrentTime)
        // The second request waits for the first to end, and what was queued behind it stays behind it.
        try await Self.waitUntil { tws.received.contains { $0.first == "20" } }
        #expect(tws.received.filter { $0.first == "20" }.map { $0[1] } == ["1"])
        tws.push(["108", "1", "20250101 09:35:00 US/Eastern", "20250102 09:35:00 US/Eastern"])
        try await Self.waitUntil { tws.received.contains { $0.first == "49" } }
        let order = tws.received.compactMap { $0.first == "20" ? "20:" + $0[1] : $0.first == "49" ? "49" : nil }
        #expect(order == ["20:1", "20:2", "49"])
    }

    @Test func requestsHeldByPacingComeBackWhenTheSocketCloses() async throws {
        let tws = FakeTWS()
        defer { tws.stop() }
        let connection = Self.connection(to: tws) {
            $0.pacing.messagesPerWindow = 1
            $0.pacing.messageWindow = .seconds(60)
            $0.heartbeatInterval = .seconds(60)
        }
        connection.start()
        defer { connection.stop() }
        _ = await Self.events(of: connection) { $0.contains { if case .ready = $0 { true } else { false } } }
        for reqId in 1...3 { try connection.send(.cancelAccountSummary(reqId: reqId)) }
        try await Self.waitUntil { tws.received.contains { $0.first == "63" } }
        tws.dropClient()
        let events = await Self.events(of: connection) { seen in
            seen.contains { if case .requestsNotSent = $0 { true } else { false } }
        }
        #expect(events.last == .requestsNotSent([.cancelAccountSummary(reqId: 2), .cancelAccountSummary(reqId: 3)]))
    }

    @Test func stopFinishesTheEvents() async {
        let tws = FakeTWS()
        defer { tws.stop() }
        let connection = Self.connection(to: tws)
        connection.start()
        _ = await Self.events(of: connection) { $0.contains { if case .ready = $0 { true } else { false } } }
        connection.stop()
        for await _ in connection.events {}
        #expect(throws: IBKRConnectionError.self) { try connection.send(.reqCurrentTime) }
    }
}
