import ArgumentParser
import Foundation
import Logging
import TradingRun
import TWSSimulator

/// `TWSSim`: a TWS / IB Gateway simulator over a CSV of bars, for paper runs and tests without an IB account.
@main
struct TWSSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "TWSSim",
        abstract: "A TWS / IB Gateway simulator: speaks the TWS API (server version 200) on 127.0.0.1 over a CSV "
            + "of bars, fills orders like the simulated broker, and injects scripted faults.")

    @Option(help: "Port on 127.0.0.1 (0 = any free port; the bound port is printed as 'listening 127.0.0.1:P').")
    var port: Int = 4002
    @Option(help: "CSV of bars (Time,Open,High,Low,Close,Volume).")
    var data: String
    @Option(help: "The symbol served.")
    var symbol: String
    @Option(help: "The managed (paper) account id, e.g. DU1234567.")
    var account: String
    @Option(help: ArgumentHelp("Start at the first bar at or after this time (as in the CSV, e.g. "
                               + "2015-06-01T09:30:00); default: the middle of the file."))
    var start: String?
    @Option(name: .customLong("bar-ms"), help: "Milliseconds per bar of the clock.")
    var barMilliseconds: Int = 1000
    @Option(help: ArgumentHelp("YAML list of faults: {at_bar: N | after_fill: K, action: disconnect | error_1100 | "
                               + "error_1101 | error_1102 | reject_next_order | pacing_violation | duplicate_id}."))
    var script: String?
    @Option(help: "Log level (trace, debug, info, warning, error).")
    var logLevel: String = "info"

    func validate() throws {
        guard barMilliseconds > 0 else { throw ValidationError("--bar-ms must be positive (got \(barMilliseconds))") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535 (got \(port))") }
        guard !account.isEmpty, !symbol.isEmpty else { throw ValidationError("--account and --symbol must be set") }
    }

    func run() throws {
        // A parent may have blocked or ignored SIGTERM/SIGINT (test runners do); restored, they stop the simulator.
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
        var logger = Logger(label: "TWSSim") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let loaded = try BarCSVLoader.load(path: data, symbol: symbol)
        let series = loaded.series
        let bars = series.time.indices.map { series[$0] }
        var startIndex: Int?
        if let start {
            let startSeries = try BarCSVLoader.parse(text: "Time,Open,High,Low,Close,Volume\n\(start),1,1,1,1,1\n",
                                                     file: "--start", symbol: symbol)
            guard let time = startSeries.series.time.first,
                  let index = TWSSimConfiguration.index(of: time, in: bars) else {
                throw ValidationError("--start \(start) is after the last bar of \(data)")
            }
            startIndex = index
        }
        let faults = try script.map { try TWSSimScript.load(path: $0) } ?? []
        let core = try TWSSimCore(configuration: TWSSimConfiguration(
            bars: bars, symbol: symbol, account: account, startIndex: startIndex, faults: faults))
        let server = try TWSSimServer(core: core, port: port, barInterval: .milliseconds(barMilliseconds),
                                      logger: logger)
        FileHandle.standardOutput.write(Data("listening 127.0.0.1:\(server.port)\n".utf8))
        logger.info("serving", metadata: ["symbol": "\(symbol)", "bars": "\(bars.count)",
                                          "start": "\(core.barIndex)", "clock": "\(core.connectionTimeText)"])
        server.run()
    }
}
