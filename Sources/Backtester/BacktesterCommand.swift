import ArgumentParser

@main
struct BacktesterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "Backtester")
    func run() throws {}
}
