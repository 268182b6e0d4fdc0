import ArgumentParser
import Forecast
import MeshCLI
import MeshKit
import MeshServices
import TradingCore
import TradingRun

/// `PredictSvc serve`: the prediction service node on the bus.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the prediction service: subscribe to bar.<SYMBOL>, publish pred.<SYMBOL>.",
        discussion: """
            With --config it publishes one prediction per bar from the config's `model:` (run natively, its window \
            primed with the data file's bars before the config's first bar) or `predictions:` file; it exits 0 \
            after the bar stream's ctl.end. Without --config it only joins the bus (ready, heartbeats). Stops \
            cleanly on SIGTERM.
            """)

    @OptionGroup var mesh: MeshOptions
    @OptionGroup var run: RunConfigOptions

    @Flag(help: "Rejoin a running session after a crash: predict its bars again from the first (ctl.resend).")
    var resume = false

    func run() async throws {
        let name = "PredictSvc"
        var node: PredictionNode?
        try await failing {
            guard let config = try run.load() else { return }
            let logger = mesh.logger(label: name)
            var predictor: any BarPredictor
            if let path = config.model {
                predictor = PredictionStream(model: try ModelRegistryEntry.load(directory: path))
                // The file's bars before the first one replayed prime the model's indicators and window.
                let (load, bars) = try BacktestRunner(codeVersion: CodeVersion.release, logger: logger).loadBars(config)
                predictor.warmUp(with: load.series, before: bars.time[0])
            } else if let path = config.predictions {
                predictor = CachedPredictions(try PredictionCSVLoader.load(path: path, onBadRow: config.onBadRow)
                    .predictions)
            } else {
                throw ValidationError("\(run.config ?? "config"): needs `predictions:` or `model:` to serve predictions")
            }
            node = PredictionNode(name: name, symbol: config.symbol, predictor: predictor,
                                  barSource: "DataSvc", exitAtEnd: true, logger: logger)
        }
        guard let node else {
            return try await ServiceRunner.run(name: name, subscriptions: ["bar.", "ctl."], options: mesh)
        }
        let state = Locked(node)
        let resume = self.resume
        if resume { state.mutate { $0.restartFromFirstBar() } }
        try await ServiceRunner.run(
            name: name, subscriptions: node.subscriptions, options: mesh,
            work: { e, publish in try state.mutate { try $0.handle(e, publish: publish) } },
            onReady: { publish in if resume { try state.mutate { try $0.requestMissing(publish: publish) } } })
    }
}
