import ArgumentParser
import TradingCore
import TradingRun

/// The backtest config a service works from (`--config`, `--set`): the same file `Backtester run` reads, so a
/// replay through the mesh and an in-process run are configured identically.
public struct RunConfigOptions: ParsableArguments {
    @Option(name: .long, help: "Backtest config (YAML): symbol, data, predictions or model, strategy, execution.")
    public var config: String?

    @Option(name: .customLong("set"), help: "Override a config key, e.g. --set strategy.entry_threshold=0.002 (repeatable).")
    public var overrides: [String] = []

    public init() {}

    /// The parsed config, or nil when `--config` was not given.
    public func load() throws -> BacktestConfig? {
        guard let config else {
            if !overrides.isEmpty { throw ValidationError("--set needs --config") }
            return nil
        }
        let text = String(decoding: try FileBytes.read(config), as: UTF8.self)
        return try BacktestConfig.parse(yaml: text, file: config, overrides: overrides)
    }
}
