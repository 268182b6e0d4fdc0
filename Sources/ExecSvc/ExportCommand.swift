import ArgumentParser
import Foundation
import Journal
import Logging
import MeshCLI
import TradingCore
import TradingRun

/// `ExecSvc export --journal DB --out DIR`: a session's result files, rebuilt from its journal.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write trades.csv, equity.csv, metrics.json, run.json and report.html from a session journal.",
        discussion: """
            Replays the journal's bars, decisions and kill switch events through the execution code, so the files \
            are exactly those the session wrote (or would have written, had it ended). A file that is not a \
            journal, or one from a newer schema, is refused and left untouched.
            """)

    @Option(help: "The session journal (SQLite).")
    var journal: String

    @Option(help: "Output directory.")
    var out: String

    func run() throws {
        do {
            let db = try SessionJournal.open(path: journal)
            let session = try db.session()
            let manifest = try RunManifest.parse(session.manifest, file: journal + " (manifest)")
            let config = manifest.config
            let (result, bars) = try db.replay(symbol: config.symbol, settings: config.strategy,
                                               execution: config.execution,
                                               riskLimits: try config.riskRules.map(BacktestRunner.riskLimits))
            guard bars.count > 0 else { throw ValidationErrorText("\(journal): the session executed no bar yet") }
            var logger = Logger(label: "ExecSvc.export")
            logger.logLevel = .warning
            let runner = BacktestRunner(codeVersion: manifest.codeVersion, logger: logger)
            let inputs = RunInputs(bars: bars, barsPerYear: session.barsPerYear,
                                   skippedRows: Array(repeating: DataIssue(
                                       file: config.data, line: 0, column: nil,
                                       message: "skipped when the session loaded its data"),
                                                      count: session.skippedRows),
                                   dataSHA256: manifest.dataSHA256, predictedReturns: [],
                                   predictionsSHA256: manifest.predictionsSHA256, model: manifest.model)
            let outcome = try runner.write(result, inputs: inputs, config: config, outDirectory: out)
            print("exported \(bars.count) bars, \(result.trades.count) trades from \(journal)")
            print("results: \(outcome.directory)  (trades.csv, equity.csv, metrics.json, run.json, report.html)")
        } catch let error as CustomStringConvertible & Error {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
