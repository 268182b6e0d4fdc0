import ArgumentParser

/// `Backtester`: the in-process backtester over TradingCore.
@main
struct BacktesterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Backtester",
        abstract: "Backtest prediction-driven strategies on OHLCV bars: validate data, run, replay through the mesh, rerun, sweep.",
        subcommands: [RunCommand.self, ValidateCommand.self, ReplayCommand.self, ReportCommand.self, RerunCommand.self, SweepCommand.self, SweepMergeCommand.self, GenerateSampleCommand.self]
    )
}
