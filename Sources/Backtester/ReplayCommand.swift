import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshKit
import MeshServices
import ServiceLifecycle
import Synchronization
import TradingCore
import TradingRun

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

    @Flag(name: .customLong("allow-in-sample"),
          help: "Run a model over bars it was trained on (config key allow_in_sample); refused otherwise.")
    var allowInSample = false

    @Option(help: "Credit window: bars in flight ahead of ExecSvc's acknowledgements (1 = lockstep).")
    var window: Int = 256

    @Option(help: "Bus transport between the processes: ipc or tcp (loopback).")
    var transport: String = "ipc"

    @Option(help: "Directory of the mesh executables (default: this binary's directory).")
    var bin: String?

    @Flag(help: """
        Replay onto a running mesh (e.g. `MeshCtl up`) instead of starting one: its PredictSvc, StrategySvc and \
        ExecSvc must run with the same config; this command publishes the bars as DataSvc and waits for ExecSvc's \
        ctl.end. The results are where that ExecSvc writes them (its --out). The bus: config/mesh.yaml, \
        TRADEMESH_BUS_FRONTEND/BACKEND.
        """)
    var attach = false

    @Option(help: """
        Scheduling policy of the services: batch (Linux SCHED_BATCH: a wake-up does not preempt the running stage, \
        fewer context switches, the default for a replay) or normal.
        """)
    var scheduling: String = "batch"

    @Option(name: .customLong("run-dir"),
            help: "Keep the bus sockets, each service's log and a `pids` file here (default: a temporary directory).")
    var runDirectory: String?

    func run() throws {
        let logger = CommandSupport.bootstrapLogger(label: "Backtester")
        try CommandSupport.reportingErrors {
            guard window >= 1 else { throw ValidationErrorText("--window must be at least 1, got \(window)") }
            guard ["batch", "normal"].contains(scheduling) else {
                throw ValidationErrorText("--scheduling must be batch or normal, got '\(scheduling)'")
            }
            guard ["ipc", "tcp"].contains(transport) else {
                throw ValidationErrorText("--transport must be ipc or tcp, got '\(transport)'")
            }
            // Validate the config and inputs here first, so mistakes are reported once, not by five processes.
            let overrides = self.overrides + (allowInSample ? ["allow_in_sample=true"] : [])
            let text = String(decoding: try FileBytes.read(config), as: UTF8.self)
            let parsed = try BacktestConfig.parse(yaml: text, file: config, overrides: overrides)
            let runner = BacktestRunner(codeVersion: CommandSupport.codeVersion(), logger: logger,
                                        modelManifestProvider: CommandSupport.modelManifestProvider)
            let inputs = try runner.loadInputs(parsed, predicting: false)
            let manifest = RunManifest(codeVersion: runner.codeVersion, config: parsed, dataSHA256: inputs.dataSHA256,
                                       predictionsSHA256: inputs.predictionsSHA256, model: inputs.model)
            let directory = out ?? "backtests/" + manifest.runID
            if attach {
                try replayOntoRunningMesh(bars: inputs.bars, symbol: parsed.symbol, logger: logger)
                return
            }
            let binDirectory = bin ?? Bundle.main.executableURL!.resolvingSymlinksInPath()
                .deletingLastPathComponent().path
            var mesh = ReplayMesh(configPath: config, overrides: overrides, outDirectory: directory, window: window,
                                  binDirectory: binDirectory)
            mesh.transport = transport
            mesh.runDirectory = runDirectory
            mesh.batchScheduling = scheduling == "batch"
            let report = try mesh.run()
            let bars = inputs.bars.count
            print(String(format: "replayed %d bars through %d processes (%@, window %d) in %.3f s: %.0f bars/s",
                         bars, report.services.count, transport, window, report.seconds,
                         Double(bars) / report.seconds))
            if let streaming = report.streamingSeconds, streaming > 0 {
                print(String(format: "streamed %d bars (first bar out to last acknowledged) in %.3f s: %.0f bars/s",
                             bars, streaming, Double(bars) / streaming))
            }
            let cpu = report.cpu.map { String(format: "%@ %.2f+%.2f", $0.service, $0.user, $0.system) }
            print("cpu seconds (user+system): " + cpu.joined(separator: ", "))
            print("results: \(directory)  (trades.csv, equity.csv, metrics.json, run.json, report.html)")
        }
    }

    /// `--attach`: this process is the mesh's DataSvc for one replay.
    private func replayOntoRunningMesh(bars: BarSeries, symbol: String, logger: Logger) throws {
        let meshConfig = FileManager.default.fileExists(atPath: "config/mesh.yaml") ? "config/mesh.yaml" : nil
        let endpoints = try MeshEndpoints.load(path: meshConfig, environment: ProcessInfo.processInfo.environment)
        let replay = BarReplayService(name: "DataSvc", symbol: symbol, series: bars, endpoints: endpoints,
                                      pacing: .replay(window: window),
                                      awaiting: ["PredictSvc", "StrategySvc", "ExecSvc"], finishedBy: "ExecSvc",
                                      clock: SystemMeshClock(), logger: logger)
        let started = ContinuousClock.now
        let failure = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let group = ServiceGroup(configuration: .init(
                    services: [.init(service: replay, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                try await group.run()
            } catch {
                failure.withLock { $0 = error }
            }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw ValidationErrorText("replay onto the running mesh failed: \(error)") }
        let seconds = (ContinuousClock.now - started).inSeconds
        print(String(format: "replayed %d bars onto the running mesh at %@ (window %d) in %.3f s",
                     bars.count, endpoints.frontend, window, seconds))
        print("the results are written by the mesh's ExecSvc, into its --out directory")
    }
}
