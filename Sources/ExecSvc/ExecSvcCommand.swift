import ArgumentParser
import Brokers
import Foundation
import MeshCLI
import TradingCore

/// `ExecSvc`: Executes signals through a broker; publishes order.*, fill.* and pnl.*.
@main
struct ExecSvcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ExecSvc",
        abstract: "Executes signals through a broker; publishes order.*, fill.* and pnl.*.",
        discussion: """
            Connects to the bus, announces ctl.ready, publishes ctl.heartbeat and stops cleanly on SIGTERM. \
            Before anything else it checks the risk config and the live-money guard: a broker that can move real \
            money needs `mode: live` in the risk config, TRADEMESH_LIVE=I_UNDERSTAND and TRADEMESH_LIVE_ACCOUNT \
            equal to --account.
            """)

    @OptionGroup var mesh: MeshOptions

    @Option(help: "simulated (default), ibkr-paper or ibkr-live.")
    var broker: String = "simulated"

    @Option(name: .customLong("risk-config"), help: "Risk limits (YAML).")
    var riskConfig: String = "config/risk.yaml"

    @Option(help: "Broker account id.")
    var account: String?

    func run() async throws {
        try await failing {
            guard let kind = LiveMoneyGuard.BrokerKind(rawValue: broker) else {
                throw ValidationError("--broker: expected simulated, ibkr-paper or ibkr-live, got '\(broker)'")
            }
            let text = String(decoding: try FileBytes.read(riskConfig), as: UTF8.self)
            let (_, mode) = try RiskLimits.parse(text, file: riskConfig)
            try LiveMoneyGuard.check(broker: kind, mode: mode, account: account,
                                     environment: ProcessInfo.processInfo.environment)
            guard kind == .simulated else {
                throw ValidationError("--broker \(broker): the Interactive Brokers adapter is not available in this "
                                      + "build; use --broker simulated")
            }
        }
        try await ServiceRunner.run(name: "ExecSvc", subscriptions: ["bar.", "signal.", "ctl."], options: mesh)
    }
}
