import Foundation
import Journal
import Logging
import MeshKit
import TradingCore
import TradingRun

/// One session of the execution service (`ExecSvc`), from a run config to the `ExecutionNode` that runs it: the
/// inputs verified and hashed for the run manifest (built once), the journal created, named (`--journal-dir`) or
/// reopened and rebuilt (`--resume`), the simulated broker with the run's capital and costs, and — when the signal
/// stream ends — the result files, written like `Backtester run`'s.
public struct ExecutionSession: Sendable {
    /// Where the session keeps its journal and writes its results.
    public struct Options: Sendable {
        /// The results' directory (default backtests/<run-id>).
        public var out: String?
        /// A new journal file, or with `resume` the interrupted session's.
        public var journal: String?
        /// A directory for a new journal named by the session's start time and run id.
        public var journalDirectory: String?
        /// Continue the session of `journal`.
        public var resume: Bool
        public var barSource: String
        public var signalSource: String

        public init(out: String? = nil, journal: String? = nil, journalDirectory: String? = nil, resume: Bool = false,
                    barSource: String = "DataSvc", signalSource: String = "StrategySvc") {
            self.out = out
            self.journal = journal
            self.journalDirectory = journalDirectory
            self.resume = resume
            self.barSource = barSource
            self.signalSource = signalSource
        }
    }

    /// The node, ready to run (resumed where the journal ends, with `resume`).
    public let node: ExecutionNode
    public let manifest: RunManifest
    /// The journal's file, if the session keeps one.
    public let journalPath: String?

    /// - Parameters:
    ///   - clock: names a new journal in `journalDirectory` (the only use of the time).
    ///   - resultsWritten: called with the results' directory once they are written.
    public init(name: String, config: BacktestConfig, runner: BacktestRunner, options: Options,
                operatorSecret: OperatorSecret?, barLog: ExecutionNode.BarLog?, clock: any MeshClock, logger: Logger,
                resultsWritten: @escaping @Sendable (String) -> Void) throws {
        // Inputs are verified and hashed up front, for the manifest; the predictions arrive on the bus.
        let inputs = try runner.loadInputs(config, predicting: false)
        let manifest = RunManifest(codeVersion: runner.codeVersion, config: config, dataSHA256: inputs.dataSHA256,
                                   predictionsSHA256: inputs.predictionsSHA256, model: inputs.model)
        var journalPath = options.journal
        if let dir = options.journalDirectory {
            guard options.journal == nil else { throw MeshError.badInput("give --journal or --journal-dir, not both") }
            guard !options.resume else {
                throw MeshError.badInput("--resume needs --journal FILE (the interrupted session's journal)")
            }
            try Self.makeJournalDirectory(dir)
            let stamp = Timestamps.iso8601(clock.nowNanoseconds())
                .replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
            journalPath = dir + "/session-\(stamp)-\(manifest.runID).sqlite"
        }
        let riskLimits = try config.riskRules.map(BacktestRunner.riskLimits)
        // Orders go to the simulated broker: the backtester's fill model, with the run's capital and costs.
        let broker = SimulatedBroker(initialCash: config.execution.initialCapital,
                                     perFillCost: config.execution.perTradeCost,
                                     slippageBps: config.execution.slippageBps)
        var execution = ExecutionStream(symbol: config.symbol, settings: config.strategy, execution: config.execution,
                                        riskLimits: riskLimits, broker: broker)
        var recorder: SessionJournal?
        var resumeAt: (bars: UInt64, decisions: UInt64)?
        if options.resume {
            guard let journal = journalPath else {
                throw MeshError.badInput("--resume needs --journal FILE (the interrupted session's journal)")
            }
            let opened = try SessionJournal.open(path: journal)
            guard try RunManifest.parse(try opened.session().manifest, file: journal).config == config else {
                throw MeshError.badInput("--resume: \(journal) belongs to a session with another config")
            }
            let rebuilt = try opened.rebuild(symbol: config.symbol, settings: config.strategy,
                                             execution: config.execution, riskLimits: riskLimits)
            execution = rebuilt.stream
            resumeAt = (UInt64(rebuilt.bars.count), rebuilt.decisions)
            recorder = opened
        } else if let journal = journalPath {
            recorder = try SessionJournal.create(path: journal, session: SessionJournal.Session(
                manifest: manifest.json, barsPerYear: inputs.barsPerYear, skippedRows: inputs.skippedRows.count))
        }
        let out = options.out
        var node = ExecutionNode(
            name: name, symbol: config.symbol, execution: execution, barSource: options.barSource,
            signalSource: options.signalSource, logger: logger, recorder: recorder, barLog: barLog,
            operatorSecret: operatorSecret
        ) { result in
            guard result.equity.time == inputs.bars.time else {
                throw MeshError.protocolFailure("the bars executed are not the config's bars between start and end")
            }
            var inputs = inputs
            inputs.predictedReturns = []
            resultsWritten(try runner.write(result, inputs: inputs, config: config, outDirectory: out).directory)
        }
        if let resumeAt { node.resume(afterBars: resumeAt.bars, decisions: resumeAt.decisions) }
        self.node = node
        self.manifest = manifest
        self.journalPath = journalPath
    }

    /// Creates a journal directory (and its parents), or says which path and why not — never Foundation's raw
    /// error text.
    public static func makeJournalDirectory(_ dir: String) throws {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: dir, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw MeshError.badInput("--journal-dir \(dir): exists and is not a directory")
            }
        } else {
            do {
                try files.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                // Named by the deepest part of the path that exists.
                var existing = (dir as NSString).deletingLastPathComponent
                while !existing.isEmpty && existing != "/" && !files.fileExists(atPath: existing) {
                    existing = (existing as NSString).deletingLastPathComponent
                }
                if existing.isEmpty { existing = "." }
                let reason = !files.fileExists(atPath: existing, isDirectory: &isDirectory) || !isDirectory.boolValue
                    ? "\(existing) is not a directory"
                    : !files.isWritableFile(atPath: existing)
                        ? "\(existing) is not writable (permission denied)" : "the system refused it"
                throw MeshError.badInput("--journal-dir \(dir): cannot create the directory: \(reason)")
            }
        }
        guard files.isWritableFile(atPath: dir) else {
            throw MeshError.badInput("--journal-dir \(dir): the directory is not writable")
        }
    }
}
