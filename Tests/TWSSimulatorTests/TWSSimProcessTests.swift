import Foundation
import IBKRConnection
import IBKRProtocol
import Logging
import Testing
import TestSupport
import TWSSimulator

/// A real `TWSSim` process on 127.0.0.1 (port 0, read back from its first line) against the project's own client,
/// `IBKRConnection`.
@Suite(.timeLimit(.minutes(1)))
struct TWSSimProcessTests {
    static func client(port: Int) -> IBKRConnection {
        var configuration = IBKRConnection.Configuration(port: port, clientId: 3)
        configuration.initialBackoff = .milliseconds(20)
        configuration.maximumBackoff = .milliseconds(100)
        return IBKRConnection(configuration: configuration, logger: Logger(label: "twssim-test"))
    }

    /// Reads events until `stop` holds for those seen; returns them.
    static func read(_ connection: IBKRConnection, until stop: ([IBKRConnection.Event]) -> Bool) async
        -> [IBKRConnection.Event] {
        var seen: [IBKRConnection.Event] = []
        for await event in connection.events {
            seen.append(event)
            if stop(seen) { break }
        }
        return seen
    }

    static func executions(_ events: [IBKRConnection.Event]) -> [IBKRExecution] {
        events.compactMap { if case .message(.execution(let execution)) = $0 { execution } else { nil } }
    }

    struct NotReady: Error { let events: [IBKRConnection.Event] }

    /// Waits for the connection's first `ready` and returns its session.
    static func session(of connection: IBKRConnection) async throws -> IBKRSessionInfo {
        let ready = await read(connection) { $0.contains { if case .ready = $0 { true } else { false } } }
        guard case .ready(let session)? = ready.last else { throw NotReady(events: ready) }
        return session
    }

    static let marketBuy = IBKROrder(action: .buy, quantity: 10, type: .market, account: "DU1234567",
                                     orderRef: "co-1")

    @Test func theProjectsClientPlacesAnOrderAndReceivesItsFill() async throws {
        let simulator = try await TWSSimProcess.launch()
        defer { simulator.stop() }
        let connection = Self.client(port: simulator.port)
        connection.start()
        defer { connection.stop() }
        let session = try await Self.session(of: connection)
        #expect(session.serverVersion == 200)
        #expect(session.accounts == ["DU1234567"])

        try connection.send(.placeOrder(orderId: session.nextValidId, contract: .stock("NVDA"),
                                        order: Self.marketBuy))
        let events = await Self.read(connection) { seen in
            seen.contains { if case .message(.commissionReport) = $0 { true } else { false } }
        }
        let execution = try #require(Self.executions(events).first)
        #expect(execution.orderId == session.nextValidId)
        #expect(execution.shares == 10)
        #expect(execution.orderRef == "co-1")
        #expect(events.contains {
            if case .message(.orderStatus(let status)) = $0 { status.status == "Filled" } else { false }
        })
        #expect(events.contains {
            if case .message(.commissionReport(let report)) = $0 { report.execId == execution.execId } else { false }
        })
    }

    @Test func aDisconnectDuringFillsLosesNothingAfterTheReconnect() async throws {
        let simulator = try await TWSSimProcess.launch(script: "- after_fill: 1\n  action: disconnect\n",
                                                       barMilliseconds: 200)
        defer { simulator.stop() }
        let connection = Self.client(port: simulator.port)
        connection.start()
        defer { connection.stop() }
        let session = try await Self.session(of: connection)
        // Two orders fill on the same bar; the simulator drops the client after the first fill's reports.
        try connection.send(.placeOrder(orderId: session.nextValidId, contract: .stock("NVDA"),
                                        order: Self.marketBuy))
        try connection.send(.placeOrder(orderId: session.nextValidId + 1, contract: .stock("NVDA"),
                                        order: Self.marketBuy))
        let dropped = await Self.read(connection) { seen in
            seen.contains { if case .ready = $0 { true } else { false } }
        }
        #expect(dropped.contains { if case .disconnected = $0 { true } else { false } })
        #expect(Self.executions(dropped).map(\.orderId) == [session.nextValidId])

        try connection.send(.reqExecutions(reqId: 77, filter: IBKRExecutionFilter()))
        let recovered = await Self.read(connection) { $0.last == .message(.executionsEnd(reqId: 77)) }
        let found = Self.executions(recovered)
        #expect(found.map(\.orderId) == [session.nextValidId, session.nextValidId + 1])
        #expect(Set(found.map(\.execId)).count == 2)
        #expect(found.first?.execId == Self.executions(dropped).first?.execId)
    }
}

/// The server in this process: started on port 0, served to the project's client, stopped.
@Suite(.timeLimit(.minutes(1)))
struct TWSSimServerTests {
    @Test func servesOnItsOwnThreadAndStops() async throws {
        let bars = TWSSimCoreTests.standard
        let core = try TWSSimCore(configuration: TWSSimConfiguration(bars: bars, symbol: "NVDA", account: "DU7"))
        let server = try TWSSimServer(core: core, port: 0, barInterval: .seconds(60),
                                      logger: Logger(label: "twssim-server-test"))
        #expect(server.port > 0)
        server.start()
        let connection = TWSSimProcessTests.client(port: server.port)
        connection.start()
        let session = try await TWSSimProcessTests.session(of: connection)
        #expect(session.accounts == ["DU7"])
        try connection.send(.reqCurrentTime)
        let answer = await TWSSimProcessTests.read(connection) { $0.last == .message(.currentTime(core.clock)) }
        #expect(answer.last == .message(.currentTime(core.clock)))
        server.stop()
        let closed = await TWSSimProcessTests.read(connection) {
            $0.contains { if case .disconnected = $0 { true } else { false } }
        }
        #expect(closed.contains { if case .disconnected = $0 { true } else { false } })
        connection.stop()
    }
}
