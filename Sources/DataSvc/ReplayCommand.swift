import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshKit
import MeshServices
import ServiceLifecycle
import TradingCore
import TradingRun

/// `DataSvc replay`: publishes a config's (or a CSV file's) bars on `bar.<SYMBOL>` under the virtual clock.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Publish bars on bar.<SYMBOL> in order under the virtual clock, then ctl.end, and exit.",
        discussion: """
            With --config: the config's bars between start and end. The replay waits until the --await services \
            are ready (default PredictSvc, StrategySvc, ExecSvc), runs at most --window bars ahead of ExecSvc's \
            acknowledgements, and fails with exit 1 naming the service when one disappears. With --data/--symbol \
            and no --await: every bar of the file, free-running. ts_event and ts_init are the bar's own timestamp. \
            Sequence numbers start at 1. SIGTERM/SIGINT stop the replay between two bars with exit code 0.
            """)

    @OptionGroup var run: RunConfigOptions

    @Option(name: .long, help: "Bars CSV (Time,Open,High,Low,Close,Volume; see docs/data.md), instead of --config.")
    var data: String?

    @Option(name: .long, help: "Symbol; bars go to bar.<SYMBOL> (with --data).")
    var symbol: String?

    @Option(name: .customLong("on-bad-row"), help: "fail or skip (see docs/data.md), with --data.")
    var onBadRow: String = "fail"

    @Option(help: "Credit window: bars published ahead of the last acknowledged one (1 = lockstep).")
    var window: Int = 256

    @Option(name: .customLong("await"), parsing: .upToNextOption,
            help: "Services to wait for before the first bar (default with --config: PredictSvc StrategySvc ExecSvc).")
    var awaiting: [String] = []

    @Option(name: .customLong("stall-timeout"), help: "Seconds without an acknowledgement before the replay fails.")
    var stallTimeout: Double = 10

    @Option(name: .customLong("streaming-stats"),
            help: "File to write 'BARS SECONDS' to: the time from the first bar out to the last one acknowledged.")
    var streamingStats: String?

    @OptionGroup var mesh: MeshOptions

    func run() async throws {
        try await failing {
            guard window >= 1 else { throw ValidationError("--window must be at least 1, got \(window)") }
            let logger = mesh.logger(label: "DataSvc")
            let (symbol, bars, fromConfig) = try BarSource.load(run: run, data: data, symbol: symbol,
                                                                onBadRow: onBadRow, logger: logger)
            let awaiting = self.awaiting.isEmpty && fromConfig ? ["PredictSvc", "StrategySvc", "ExecSvc"]
                                                               : self.awaiting
            let replay = BarReplayService(
                name: "DataSvc", symbol: symbol, series: bars, endpoints: try mesh.endpoints(),
                pacing: .replay(window: awaiting.isEmpty ? nil : window), awaiting: awaiting,
                stallTimeout: .milliseconds(Int64(stallTimeout * 1000)), streamingStatsFile: streamingStats,
                clock: SystemMeshClock(), logger: logger)
            try await BarSource.run(replay, logger: logger)
        }
    }
}

/// `DataSvc live`: a live feed made from a file — bars published as they close, paced and stamped with the wall
/// clock. Swapping a replay for a live feed is this subcommand instead of `replay`, nothing else.
struct LiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Publish bars on bar.<SYMBOL> as a live feed: paced by --speed, stamped with the wall clock.",
        discussion: """
            The time between two bars' timestamps divided by --speed passes between their messages (--speed 3600: \
            an hourly bar per second). The source is a file today; an exchange or broker feed plugs in behind the \
            same interface. With --config it first waits until the --await services are ready. Ends with ctl.end \
            after the last bar. SIGTERM/SIGINT stop it with exit code 0.
            """)

    @OptionGroup var run: RunConfigOptions

    @Option(name: .long, help: "Bars CSV, instead of --config.")
    var data: String?

    @Option(name: .long, help: "Symbol (with --data).")
    var symbol: String?

    @Option(help: "Replay speed relative to real time (60 = one hour of bars per minute).")
    var speed: Double = 60

    @Option(name: .customLong("await"), parsing: .upToNextOption,
            help: "Services to wait for before the first bar (default with --config: PredictSvc StrategySvc ExecSvc).")
    var awaiting: [String] = []

    @Option(name: .customLong("progress-file"),
            help: "Keep the number of bars published in this file, so that --resume can continue the session.")
    var progressFile: String?

    @Flag(help: "Continue a session after a crash from --progress-file, instead of starting over.")
    var resume = false

    @OptionGroup var mesh: MeshOptions

    func run() async throws {
        try await failing {
            guard speed > 0, speed.isFinite else { throw ValidationError("--speed must be positive, got \(speed)") }
            var resumeAfter = 0
            if resume {
                guard let progressFile else { throw ValidationError("--resume needs --progress-file") }
                let text = String(decoding: try FileBytes.read(progressFile), as: UTF8.self)
                guard let n = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), n >= 0 else {
                    throw ValidationError("\(progressFile): expected the number of bars published, got '\(text)'")
                }
                resumeAfter = n
            }
            let logger = mesh.logger(label: "DataSvc")
            let (symbol, bars, fromConfig) = try BarSource.load(run: run, data: data, symbol: symbol,
                                                                onBadRow: "fail", logger: logger)
            let awaiting = self.awaiting.isEmpty && fromConfig ? ["PredictSvc", "StrategySvc", "ExecSvc"]
                                                               : self.awaiting
            let feed = BarReplayService(name: "DataSvc", symbol: symbol, series: bars, endpoints: try mesh.endpoints(),
                                        pacing: .live(speed: speed, clock: SystemMeshClock(), progressFile: progressFile,
                                                      resumeAfter: resumeAfter), awaiting: awaiting,
                                        clock: SystemMeshClock(), logger: logger)
            try await BarSource.run(feed, logger: logger)
        }
    }
}

/// Where `replay` and `live` get their bars, and how they run.
enum BarSource {
    static func load(run: RunConfigOptions, data: String?, symbol: String?, onBadRow: String, logger: Logger) throws
        -> (symbol: String, bars: BarSeries, fromConfig: Bool)
    {
        if let config = try run.load() {
            guard data == nil, symbol == nil else { throw ValidationError("--data/--symbol cannot be used with --config") }
            let runner = BacktestRunner(codeVersion: CodeVersion.release, logger: logger)
            return (config.symbol, try runner.loadBars(config).bars, true)
        }
        guard let data, let symbol else { throw ValidationError("give --config, or --data and --symbol") }
        guard let policy = BadRowPolicy(rawValue: onBadRow) else {
            throw ValidationError("--on-bad-row must be one of: \(BadRowPolicy.allCases.map(\.rawValue))")
        }
        return (symbol, try BarCSVLoader.load(path: data, symbol: symbol, onBadRow: policy).series, false)
    }

    static func run(_ service: BarReplayService, logger: Logger) async throws {
        StreamingAllocator.configure()
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}
