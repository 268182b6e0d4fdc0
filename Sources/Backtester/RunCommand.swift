import ArgumentParser
import Foundation
import Logging
import TradingCore
import TradingRun

/// `Backtester run --config F [--out DIR] [--set k=v ...]`, or `Backtester run --data F --predictions P` with the
/// default settings.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one backtest and write trades.csv, equity.csv, metrics.json and run.json.",
        discussion: "Default output directory: backtests/<run-id>, where the run id is derived from the resolved "
            + "config and the SHA-256 of the input files. Without --config, --data and --predictions (or --model) "
            + "make a run with the default settings, which the summary lists; change them with --set."
    )

    @Option(name: .long, help: "Backtest config (YAML); optional when --data is given.")
    var config: String?

    @Option(name: .long, help: "Bars CSV file (the config key data; overrides the config's).")
    var data: String?

    @Option(name: .long, help: "Predictions CSV file (the config key predictions).")
    var predictions: String?

    @Option(name: .long, help: "Model directory making the predictions (the config key model).")
    var model: String?

    @Option(name: .long, help: "Symbol name for the bars (the config key symbol; default the data file's name).")
    var symbol: String?

    @Option(name: .long, help: "Output directory (default backtests/<run-id>).")
    var out: String?

    @Option(name: .customLong("set"), help: "Override a config key, e.g. --set strategy.entry_threshold=0.002 (repeatable).")
    var overrides: [String] = []

    @Option(name: .customLong("on-bad-row"), help: "fail (default) or skip bad data rows, reporting each one.")
    var onBadRow: String?

    @Flag(name: .customLong("allow-missing-predictions"),
          help: "Run even when the predictions' times do not match the bars' (config key allow_missing_predictions).")
    var allowMissingPredictions = false

    @Flag(name: .customLong("allow-in-sample"),
          help: "Run a model over bars it was trained on (config key allow_in_sample); refused otherwise.")
    var allowInSample = false

    func run() throws {
        let logger = CommandSupport.bootstrapLogger(label: "Backtester")
        try CommandSupport.reportingErrors {
            var overrides = self.overrides
            if let policy = onBadRow { overrides.append("on_bad_row=\(policy)") }
            if allowMissingPredictions { overrides.append("allow_missing_predictions=true") }
            if allowInSample { overrides.append("allow_in_sample=true") }
            let parsed = try resolvedConfig(overrides: overrides)
            let runner = BacktestRunner(codeVersion: CommandSupport.codeVersion(), logger: logger,
                                        modelProvider: CommandSupport.modelProvider,
                                        modelManifestProvider: CommandSupport.modelManifestProvider)
            let outcome = try runner.run(parsed, outDirectory: out)
            if config == nil { print(Self.defaultsSummary(parsed)) }
            print(BacktestRunner.summary(outcome, config: parsed))
        }
    }
}

extension RunCommand {
    /// The config file with the command line's keys applied, or, without one, the defaults with them.
    func resolvedConfig(overrides: [String]) throws -> BacktestConfig {
        var keys: [(key: String, value: String)] = []
        if let data { keys.append(("data", data)) }
        if let predictions { keys.append(("predictions", predictions)) }
        if let model { keys.append(("model", model)) }
        if let symbol { keys.append(("symbol", symbol)) }
        guard let config else {
            guard let data else {
                throw ValidationError("give --config FILE, or --data FILE (with --predictions FILE or --model DIR)")
            }
            if symbol == nil {
                let stem = URL(fileURLWithPath: data).deletingPathExtension().lastPathComponent
                keys.append(("symbol", String(stem.split(separator: "_").first ?? Substring(stem))))
            }
            return try BacktestConfig.parse(yaml: Self.yaml(keys), file: "command line", overrides: overrides)
        }
        let text = String(decoding: try FileBytes.read(config), as: UTF8.self)
        return try BacktestConfig.parse(yaml: text, file: config,
                                        overrides: keys.map { "\($0.key)=\(Self.quoted($0.value))" } + overrides)
    }

    /// The settings a run without a config file used, stated before its summary.
    static func defaultsSummary(_ c: BacktestConfig) -> String {
        let s = c.strategy, e = c.execution
        let size: String
        switch s.size {
        case .fraction(let f): size = "\(f) of equity"
        case .units(let u): size = "\(u) units"
        }
        func optional(_ v: Double?) -> String { v.map { "\($0)" } ?? "none" }
        return [
            "No config file: default settings (change any with --set key=value, or copy config/backtest.yaml)",
            "  strategy        \(s.name): entry_threshold \(s.entryThreshold), exit_threshold \(s.exitThreshold), "
                + (s.allowShort ? "long and short" : "long only") + ", size \(size)",
            "  exits           stop_loss \(optional(s.stopLoss)), take_profit \(optional(s.takeProfit)), "
                + "close_at_end \(e.closeAtEnd)",
            "  account         initial_capital \(e.initialCapital), costs per_trade \(e.perTradeCost) "
                + "slippage_bps \(e.slippageBps), daily_loss_cap \(optional(e.dailyLossCap)), "
                + "max_leverage \(e.maxLeverage)",
            "  window          the whole file" + (c.start != nil || c.end != nil
                ? " between \(c.start ?? "its start") and \(c.end ?? "its end")" : ""),
        ].joined(separator: "\n")
    }

    private static func yaml(_ keys: [(key: String, value: String)]) -> String {
        keys.map { "\($0.key): \(quoted($0.value))\n" }.joined()
    }

    /// A YAML single-quoted scalar, so paths are read as strings whatever they hold.
    private static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
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
