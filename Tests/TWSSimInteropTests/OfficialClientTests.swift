import Foundation
import Testing
import TestSupport

/// The official Interactive Brokers Python client (ibapi-stable 10.50.2) against a real `TWSSim`: it connects,
/// places a market order and receives the fill through its own reader and decoder (Tests/interop/tws_client.py).
/// Needs `TRADEMESH_PYTHON` (default `.venv/bin/python`) with ibapi installed: `bash scripts/python-env.sh`.
@Suite(.timeLimit(.minutes(1)))
struct OfficialClientTests {
    static var python: String {
        if let path = ProcessInfo.processInfo.environment["TRADEMESH_PYTHON"], !path.isEmpty { return path }
        return TestSupport.packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// True when `python` runs and imports ibapi.
    static let hasOfficialClient: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import ibapi"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    struct Result: Decodable {
        struct Status: Decodable {
            var orderId: Int
            var status: String
        }

        struct Execution: Decodable {
            var orderId: Int
            var execId: String
            var side: String
            var shares: String
            var price: Double
            var symbol: String
            var orderRef: String
        }

        struct Commission: Decodable {
            var execId: String
            var commission: Double
        }

        var accounts: [String]
        var serverVersion: Int
        var statuses: [Status]
        var executions: [Execution]
        var commissions: [Commission]
        var filled: Bool
    }

    static let skipReason = Comment(rawValue: "TRADEMESH_PYTHON (or .venv/bin/python) lacks ibapi: run "
                                    + "`bash scripts/python-env.sh` to install ibapi-stable==10.50.2")

    @Test(.enabled(if: hasOfficialClient, skipReason))
    func officialClientPlacesAMarketOrderAndDecodesItsFill() async throws {
        let simulator = try await TWSSimProcess.launch()
        defer { simulator.stop() }
        let output = Pipe()
        let client = Process()
        client.executableURL = URL(fileURLWithPath: Self.python)
        client.arguments = [TestSupport.packageRoot.appendingPathComponent("Tests/interop/tws_client.py").path,
                            String(simulator.port), "NVDA", "25"]
        client.standardOutput = output
        client.standardError = FileHandle.nullDevice
        try client.run()
        let data = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        client.waitUntilExit()
        #expect(client.terminationStatus == 0, "\(String(decoding: data, as: UTF8.self))")
        let result = try JSONDecoder().decode(Result.self, from: data)
        #expect(result.serverVersion == 200)
        #expect(result.accounts == ["DU1234567"])
        #expect(result.filled)
        let execution = try #require(result.executions.first)
        #expect(result.executions.count == 1)
        #expect(execution.side == "BOT")
        #expect(execution.shares == "25")
        #expect(execution.symbol == "NVDA")
        #expect(execution.orderRef == "interop-1")
        #expect(execution.price > 0)
        #expect(result.commissions.map(\.execId) == [execution.execId])
        #expect(result.statuses.last?.status == "Filled")
        #expect(result.statuses.allSatisfy { $0.orderId == execution.orderId })
    }
}
