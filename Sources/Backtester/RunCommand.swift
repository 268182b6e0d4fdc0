import ArgumentParser
import Foundation
import Logging
import TradingCore
import TradingRun

/// `Backtester run --config F [--out DIR] [--set k=v ...]`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one backtest and write trades.csv, equity.csv, metrics.json and run.json.",
        discussion: "Default output directory: backtests/<run-id>, where the run id is derived from the resolved "
            + "config and the SHA-256 of the input files."
    )

    @Option(name: .long, help: "Backtest config (YAML).")
    var config: String

    @Option(name: .long, help: "Output directory (default backtests/<run-id>).")
    var out: String?

    @Option(name: .customLong("set"), help: "Override a config key, e.g. --set strategy.entry_threshold=0.002 (repeatable).")
    var overrides: [String] = []

    @Option(name: .customLong("on-bad-row"), help: "fail (default) or skip bad data rows, reporting each one.")
    var onBadRow: String?

    @Flag(name: .customLong("allow-missing-predictions"),
          help: "Run even when the predictions' times do not match the bars' (config key allow_missing_predictions).")
    var allowMissingPredictions = false

    func run() throws {
        let logger = CommandSupport.bootstrapLogger(label: "Backtester")
        try CommandSupport.reportingErrors {
            var overrides = self.overrides
            if let policy = onBadRow { overrides.append("on_bad_row=\(policy)") }
            if allowMissingPredictions { overrides.append("allow_missing_predictions=true") }
            let text = String(decoding: try FileBytes.read(config), as: UTF8.self)
            let parsed = try BacktestConfig.parse(yaml: text, file: config, overrides: overrides)
            let runner = BacktestRunner(codeVersion: CommandSupport.codeVersion(), logger: logger,
                                        modelProvider: CommandSupport.modelProvider)
            let outcome = try runner.run(parsed, outDirectory: out)
            print(BacktestRunner.summary(outcome, config: parsed))
        }
    }
}

/// `Backtester rerun DIR/run.json --out OTHER`.
struct RerunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Reproduce a run from its manifest, after checking that its input files are unchanged."
    )

    @Argument(help: "The run.json of an earlier run.")
    var manifest: String

    @Option(name: .long, help: "Output directory.")
    var out: String

    func run() throws {
        let logger = CommandSupport.bootstrapLogger(label: "Backtester")
        try CommandSupport.reportingErrors {
            let runner = BacktestRunner(codeVersion: CommandSupport.codeVersion(), logger: logger,
                                        modelProvider: CommandSupport.modelProvider)
            let outcome = try runner.rerun(manifestPath: manifest, outDirectory: out)
            print(BacktestRunner.summary(outcome, config: try RunManifest.parse(
                String(decoding: try FileBytes.read(manifest), as: UTF8.self), file: manifest).config))
        }
    }
}
