import ArgumentParser
import MeshCLI
import MeshKit
import MeshServices
import TradingCore

/// `StrategySvc`: Turns bars and predictions into signals on signal.<SYMBOL>.
@main
struct StrategySvcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "StrategySvc",
        abstract: "Turns bars and predictions into signals on signal.<SYMBOL>.",
        discussion: """
            With --config it joins bar.<SYMBOL> and pred.<SYMBOL> by sequence number, runs the config's strategy \
            and publishes one signal per bar; it exits 0 after the prediction stream's ctl.end. Without --config it \
            only joins the bus (ready, heartbeats). Stops cleanly on SIGTERM.
            """)

    @OptionGroup var mesh: MeshOptions
    @OptionGroup var run: RunConfigOptions

    @Flag(help: "Rejoin a running session after a crash: ask for its bars and predictions again (ctl.resend).")
    var resume = false

    func run() async throws {
        let name = "StrategySvc"
        var node: StrategyNode?
        try await failing {
            if let config = try run.load() {
                node = StrategyNode(name: name, symbol: config.symbol,
                                    strategy: try StrategyStream(settings: config.strategy, symbol: config.symbol),
                                    barSource: "DataSvc", predictionSource: "PredictSvc", exitAtEnd: true,
                                    logger: mesh.logger(label: name))
            }
        }
        guard let node else {
            return try await ServiceRunner.run(name: name, subscriptions: ["bar.", "pred.", "ctl."], options: mesh)
        }
        let state = Locked(node)
        let resume = self.resume
        try await ServiceRunner.run(
            name: name, subscriptions: node.subscriptions, options: mesh,
            work: { e, publish in try state.mutate { try $0.handle(e, publish: publish) } },
            onReady: { publish in if resume { try state.mutate { try $0.requestMissing(publish: publish) } } })
    }
}
