import ArgumentParser
import Foundation
import TradingCore
import TradingRun

/// `Backtester validate --data F`: what the loader sees in a bars file, without a config.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Load a bars CSV file and report what the loader sees: format, columns, range, bar size, gaps, bad rows.",
        discussion: "Exits 1 with the loader's message (and how to fix the file) when the file cannot be read. "
            + "With --on-bad-row skip every bad row is listed instead."
    )

    @Option(name: .long, help: "The bars CSV file.")
    var data: String

    @Option(name: .customLong("on-bad-row"), help: "fail (default) or skip bad data rows, listing each one.")
    var onBadRow: String = "fail"

    func run() throws {
        try CommandSupport.reportingErrors {
            guard let policy = BadRowPolicy(rawValue: onBadRow) else {
                throw ValidationError("--on-bad-row: expected fail or skip, got '\(onBadRow)'")
            }
            let load = try BarCSVLoader.load(path: data, symbol: "", onBadRow: policy)
            print(BarFileReport(load: load, file: data).text)
        }
    }
}
