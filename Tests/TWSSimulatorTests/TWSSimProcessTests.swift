import Foundation
import IBKRConnection
import IBKRProtocol
import Logging
import Testing
import TestSupport

/// A real `TWSSim` process on 127.0.0.1 (port 0, read back from its first line) against the project's own client,
/// `IBKRConnection`.
@Suite(.timeLimit(.minutes(1)))
struct TWSSimProcessTests {
    /// A running simulator and the port it printed.
    struct Simulator {
        let process: Process
        let port: Int

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    static func launch(script: String? = nil, barMilliseconds: Int = 50) async throws -> Simulator {
        var arguments = ["--port", "0", "--data", DataFixtures.sample("NVDA_1h.csv"), "--symbol", "NVDA",
                         "--account", "DU1234567", "--bar-ms", String(barMilliseconds), "--log-level", "warning"]
        if let script {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("twssim-\(UUID().uuidString).yaml").path
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--script", path]
        }
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable("TWSSim"))
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let line = await Task.detached { () -> String in
            var bytes: [UInt8] = []
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                bytes += chunk
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        let prefix = "listening 127.0.0.1:"
        guard line.hasPrefix(prefix),
              let port = Int(line.dropFirst(prefix.count).prefix { $0.isNumber }) else {
            process.terminate()
            throw SimulatorDidNotStart(firstLine: line)
        }
        return Simulator(process: process, port: port)
    }

    struct SimulatorDidNotStart: Error { let firstLine: String }

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

    static let marketBuy = IBKROrder(action: .buy, quantity: 10, type: .market, account: "DU1234567",
                                     orderRef: "co-1")

    @Test func theProjectsClientPlacesAnOrderAndReceivesItsFill() async throws {
        let simulator = try await Self.launch()
        defer { simulator.stop() }
        let connection = Self.client(port: simulator.port)
        connection.start()
        defer { connection.stop() }
        let ready = await Self.read(connection) { $0.contains { if case .ready = $0 { true } else { false } } }
        guard case .ready(let session)? = ready.last else {
            Issue.record("not ready: \(ready)")
            return
        }
        #expect(session.serverVersion == 200)
        #expect(session.accounts == ["DU1234567"])

        try connection.send(.placeOrder(orderId: session.nextValidId, contract: .stock("NVDA"), order: Self.marketBuy))
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
        let simulator = try await Self.launch(script: "- after_fill: 1\n  action: disconnect\n", barMilliseconds: 200)
        defer { simulator.stop() }
        let connection = Self.client(port: simulator.port)
        connection.start()
        defer { connection.stop() }
        let ready = await Self.read(connection) { $0.contains { if case .ready = $0 { true } else { false } } }
        guard case .ready(let session)? = ready.last else {
            Issue.record("not ready: \(ready)")
            return
        }
        // Two orders fill on the same bar; the simulator drops the client after the first fill's reports.
        try connection.send(.placeOrder(orderId: session.nextValidId, contract: .stock("NVDA"), order: Self.marketBuy))
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
