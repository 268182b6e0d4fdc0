import ArgumentParser
import Foundation
import Logging
import MeshCLI
import TradingCore

/// `Backtester replay --config F`: the same backtest as `run`, replayed through the mesh's processes.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run a backtest through the mesh: five processes on a private bus, a replay under the virtual clock.",
        discussion: """
            Starts MeshCtl proxy, ExecSvc, StrategySvc, PredictSvc and DataSvc replay from the same directory as \
            this binary (or --bin), replays the config's bars with a credit window, and waits for ExecSvc to write \
            trades.csv, equity.csv, metrics.json and run.json — byte-identical to `Backtester run --config F`. If a \
            service dies, the replay stops with an error naming it and writes no results.
            """)

    @Option(name: .long, help: "Backtest config (YAML).")
    var config: String

    @Option(name: .long, help: "Output directory (default backtests/<run-id>, as for run).")
    var out: String?

    @Option(name: .customLong("set"), help: "Override a config key (repeatable), as for run.")
    var overrides: [String] = []

    @Option(help: "Credit window: bars in flight ahead of ExecSvc's acknowledgements (1 = lockstep).")
    var window: Int = 256

    @Option(help: "Bus transport between the processes: ipc or tcp (loopback).")
    var transport: String = "ipc"

    @Option(help: "Directory of the mesh executables (default: this binary's directory).")
    var bin: String?

    @Option(name: .customLong("run-dir"),
            help: "Keep the bus sockets, each service's log and a `pids` file here (default: a temporary directory).")
    var runDirectory: String?

    func run() throws {
        let logger = CommandSupport.bootstrapLogger(label: "Backtester")
        try CommandSupport.reportingErrors {
            guard window >= 1 else { throw ValidationErrorText("--window must be at least 1, got \(window)") }
            guard ["ipc", "tcp"].contains(transport) else {
                throw ValidationErrorText("--transport must be ipc or tcp, got '\(transport)'")
            }
            // Validate the config and inputs here first, so mistakes are reported once, not by five processes.
            let text = String(decoding: try FileBytes.read(config), as: UTF8.self)
            let parsed = try BacktestConfig.parse(yaml: text, file: config, overrides: overrides)
            let runner = BacktestRunner(codeVersion: CommandSupport.codeVersion(), logger: logger,
                                        modelManifestProvider: CommandSupport.modelManifestProvider)
            let inputs = try runner.loadInputs(parsed, predicting: false)
            let manifest = RunManifest(codeVersion: runner.codeVersion, config: parsed, dataSHA256: inputs.dataSHA256,
                                       predictionsSHA256: inputs.predictionsSHA256, model: inputs.model)
            let directory = out ?? "backtests/" + manifest.runID
            let binDirectory = bin ?? Bundle.main.executableURL!.resolvingSymlinksInPath()
                .deletingLastPathComponent().path
            var mesh = ReplayMesh(configPath: config, overrides: overrides, outDirectory: directory, window: window,
                                  binDirectory: binDirectory)
            mesh.transport = transport
            mesh.runDirectory = runDirectory
            let report = try mesh.run()
            let bars = inputs.bars.count
            print(String(format: "replayed %d bars through %d processes (%@, window %d) in %.3f s: %.0f bars/s",
                         bars, report.services.count, transport, window, report.seconds,
                         Double(bars) / report.seconds))
            let cpu = report.cpu.map { String(format: "%@ %.2f+%.2f", $0.service, $0.user, $0.system) }
            print("cpu seconds (user+system): " + cpu.joined(separator: ", "))
            print("results: \(directory)  (trades.csv, equity.csv, metrics.json, run.json)")
        }
    }
}
