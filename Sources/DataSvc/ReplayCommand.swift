import ArgumentParser
import MeshCLI
import MeshKit
import ServiceLifecycle
import TradingCore

/// `DataSvc replay --data CSV --symbol S`: publishes every bar of a CSV file on `bar.<S>`, then exits 0.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Publish the bars of a CSV file on bar.<SYMBOL>, in order, then exit.",
        discussion: """
            ts_event and ts_init are the bar's own timestamp (virtual time). Sequence numbers start at 1. \
            SIGTERM/SIGINT stop the replay between two bars with exit code 0.
            """)

    @Option(name: .long, help: "Bars CSV (Time,Open,High,Low,Close,Volume; see docs/data.md).")
    var data: String

    @Option(name: .long, help: "Symbol; bars go to bar.<SYMBOL>.")
    var symbol: String

    @Option(name: .customLong("on-bad-row"), help: "fail or skip (see docs/data.md).")
    var onBadRow: String = "fail"

    @OptionGroup var mesh: MeshOptions

    func run() async throws {
        try await failing {
            guard let policy = BadRowPolicy(rawValue: onBadRow) else {
                throw ValidationError("--on-bad-row must be one of: \(BadRowPolicy.allCases.map(\.rawValue))")
            }
            let logger = mesh.logger(label: "DataSvc")
            let loaded = try BarCSVLoader.load(path: data, symbol: symbol, onBadRow: policy)
            let replay = BarReplayService(name: "DataSvc", symbol: symbol, series: loaded.series,
                                          endpoints: try mesh.endpoints(), logger: logger)
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: replay, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            try await group.run()
        }
    }
}
