import ArgumentParser
import TradingCore
import TradingRun

/// `Backtester report DIR`: (re)writes `DIR/report.html` from a results directory.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html for a results directory: equity, drawdown, trades on price, monthly returns, metrics, manifest.",
        discussion: """
            One self-contained page (inline SVG, no network fetches). `run`, `replay` and the execution service \
            write it automatically; this command rewrites it, e.g. for a directory from an older version. The \
            price chart needs the manifest's data file.
            """)

    @Argument(help: "A results directory (trades.csv, equity.csv, metrics.json, run.json).")
    var directory: String

    func run() throws {
        _ = CommandSupport.bootstrapLogger(label: "Backtester")
        try CommandSupport.reportingErrors {
            print("report: \(try RunReport.write(directory: directory))")
        }
    }
}
