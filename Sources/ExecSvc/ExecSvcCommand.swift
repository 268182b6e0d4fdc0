import ArgumentParser
import Brokers
import Forecast
import Foundation
import Journal
import MeshCLI
import MeshKit
import Synchronization
import TradingCore

/// `ExecSvc`: the execution service (`ExecSvc [serve] …`, the default) and `ExecSvc export`.
@main
struct ExecSvcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ExecSvc",
        abstract: "Executes signals through a broker; publishes order.*, fill.* and pnl.*.",
        discussion: "`ExecSvc [serve] --config F …` runs the service (serve is the default); `ExecSvc export` "
            + "rebuilds a session's files from its journal.",
        subcommands: [ServeCommand.self, ExportCommand.self],
        defaultSubcommand: ServeCommand.self)
}

/// `ExecSvc serve` (the default subcommand): the execution service node.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the execution service (the default): execute signals, publish order.*, fill.* and pnl.*.",
        discussion: """
            Before anything else it checks the risk config and the live-money guard: a broker that can move real \
            money needs `mode: live` in the risk config, TRADEMESH_LIVE=I_UNDERSTAND and TRADEMESH_LIVE_ACCOUNT \
            equal to --account. With --config it joins bar.<SYMBOL> and signal.<SYMBOL> by sequence number, \
            executes with the simulated broker (the backtester's execution model), publishes order, fill, pnl and \
            ctl.ack per bar, honours the kill switch (ctl.kill, ctl.resume, SIGUSR1), and after the signal \
            stream's ctl.end writes trades.csv, equity.csv, metrics.json and \
            run.json like `Backtester run`, then exits 0. Without --config it only joins the bus. Stops cleanly on \
            SIGTERM.
            """)

    @OptionGroup var mesh: MeshOptions
    @OptionGroup var run: RunConfigOptions

    @Option(help: "Where the results go (default backtests/<run-id>).")
    var out: String?

    @Option(help: "Journal the session durably in this new SQLite file (refused if it exists); see docs/journal.md.")
    var journal: String?

    @Flag(help: """
        Continue an interrupted session from its --journal: rebuild positions, cash, the waiting order and the kill \
        switch from it, then ask DataSvc and StrategySvc to re-send what was missed (ctl.resend).
        """)
    var resume = false

    @Option(name: .customLong("journal-dir"),
            help: "Journal the session in a new file in this directory, named by the session's start time and run id.")
    var journalDirectory: String?

    @Option(name: .customLong("live-log"),
            help: "Print one line per bar (time, signal, position, equity, day PnL) and append it to this file.")
    var liveLog: String?

    @Option(help: "simulated (default), ibkr-paper or ibkr-live.")
    var broker: String = "simulated"

    @Option(name: .customLong("risk-config"),
            help: "Risk limits (YAML); default config/risk.yaml when it exists, else paper mode.")
    var riskConfig: String?

    @Option(help: "Broker account id.")
    var account: String?

    @Option(name: .customLong("operator-secret"), help: """
        The operator secret a resume (ctl.resume) must prove (created 0600 when missing). Default: \
        TRADEMESH_OPERATOR_SECRET, else operator.secret beside the bus's ipc sockets. See docs/risk.md.
        """)
    var operatorSecret: String?

    @Option(name: .customLong("resume-timeout"), help: """
        With --resume: seconds to wait for a sign of the session's feed (a bar, a signal, a heartbeat of DataSvc or \
        StrategySvc) before failing because it has ended.
        """)
    var resumeTimeout: Double = 10

    static let defaultRiskConfig = "config/risk.yaml"

    func run() async throws {
        let name = "ExecSvc"
        var node: ExecutionNode?
        try await failing {
            guard let kind = LiveMoneyGuard.BrokerKind(rawValue: broker) else {
                throw ValidationError("--broker: expected simulated, ibkr-paper or ibkr-live, got '\(broker)'")
            }
            // Without --risk-config, the project's config/risk.yaml when run from a checkout; elsewhere (a replay
            // started from another directory) there is none, and the safe default applies: paper mode.
            var mode = "paper"
            if let path = riskConfig ?? (FileManager.default.fileExists(atPath: Self.defaultRiskConfig)
                                         ? Self.defaultRiskConfig : nil) {
                let text = String(decoding: try FileBytes.read(path), as: UTF8.self)
                mode = try RiskLimits.parse(text, file: path).mode
            }
            try LiveMoneyGuard.check(broker: kind, mode: mode, account: account,
                                     environment: ProcessInfo.processInfo.environment)
            guard kind == .simulated else {
                throw ValidationError("--broker \(broker): the Interactive Brokers adapter is not available in this "
                                      + "build; use --broker simulated")
            }
            guard let config = try run.load() else { return }
            let logger = mesh.logger(label: name)
            // Inputs are verified and hashed up front, for the manifest; the predictions arrive on the bus.
            let runner = BacktestRunner(codeVersion: CodeVersion.current(), logger: logger,
                                        modelManifestProvider: ModelRegistryEntry.manifestProvider)
            let inputs = try runner.loadInputs(config, predicting: false)
            let out = self.out
            var recorder: SessionJournal?
            var journalPath = journal
            let manifest = RunManifest(codeVersion: runner.codeVersion, config: config, dataSHA256: inputs.dataSHA256,
                                       predictionsSHA256: inputs.predictionsSHA256, model: inputs.model)
            if let dir = journalDirectory {
                guard journal == nil else { throw ValidationError("give --journal or --journal-dir, not both") }
                try Self.makeJournalDirectory(dir)
                // The file name is the only thing the wall clock is used for: it names the session.
                let stamp = Timestamps.iso8601(SystemMeshClock().nowNanoseconds())
                    .replacingOccurrences(of: ":", with: "").replacingOccurrences(of: "-", with: "")
                journalPath = dir + "/session-\(stamp)-\(manifest.runID).sqlite"
            }
            let secret = try OperatorSecret.loadOrCreate(path: OperatorSecret.path(
                explicit: operatorSecret, endpoints: try mesh.endpoints(),
                environment: ProcessInfo.processInfo.environment))
            logger.info("operator secret", metadata: ["path": "\(secret.path)"])
            let riskLimits = try config.riskRules.map(BacktestRunner.riskLimits)
            // Orders go to the simulated broker: the backtester's fill model, with the run's capital and costs.
            let broker = SimulatedBroker(initialCash: config.execution.initialCapital,
                                         perFillCost: config.execution.perTradeCost,
                                         slippageBps: config.execution.slippageBps)
            var execution = ExecutionStream(symbol: config.symbol, settings: config.strategy,
                                            execution: config.execution, riskLimits: riskLimits, broker: broker)
            var resumeAt: (bars: UInt64, decisions: UInt64)?
            if resume {
                guard let journal = journalPath, journalDirectory == nil else {
                    throw ValidationError("--resume needs --journal FILE (the interrupted session's journal)")
                }
                let opened = try SessionJournal.open(path: journal)
                let session = try opened.session()
                guard try RunManifest.parse(session.manifest, file: journal).config == config else {
                    throw ValidationError("--resume: \(journal) belongs to a session with another config")
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
            var barLog: ExecutionNode.BarLog?
            if let liveLog {
                let log = try LiveMetricsLog(path: liveLog)
                barLog = { report in log.append(report) }
            }
            node = ExecutionNode(
                name: name, symbol: config.symbol,
                execution: execution,
                barSource: "DataSvc", signalSource: "StrategySvc", logger: logger, recorder: recorder,
                barLog: barLog, operatorSecret: secret
            ) { result in
                guard result.equity.time == inputs.bars.time else {
                    throw MeshError.protocolFailure("the bars executed are not the config's bars between start and end")
                }
                var inputs = inputs
                inputs.predictedReturns = []
                let outcome = try runner.write(result, inputs: inputs, config: config, outDirectory: out)
                print("results: \(outcome.directory)")
            }
            if let resumeAt { node?.resume(afterBars: resumeAt.bars, decisions: resumeAt.decisions) }
        }
        guard let node else {
            return try await ServiceRunner.run(name: name, subscriptions: ["bar.", "signal.", "ctl."], options: mesh)
        }
        let state = Locked(node)
        let timeout = resumeTimeout
        let watch = MeshNodeService.Watch(after: .milliseconds(Int64(timeout * 1000))) {
            state.mutate { $0.feedSilence(after: timeout) }
        }
        // SIGUSR1 is the kill switch too (`kill -USR1 <pid>`), for when the bus itself is in trouble.
        let logger = mesh.logger(label: name)
        // The service's publisher, once on the bus: a kill by signal goes through the same blocking lane as the
        // batches, after them, so that the journal keeps its order.
        let publisher = Mutex<MeshNodeService.Publish?>(nil)
        let usr1 = SignalAction(SIGUSR1) {
            do {
                let publish = publisher.withLock { $0 } ?? MeshNodeService.Publish { _, _, _, _ in }
                try state.mutate {
                    $0.kill(reason: "SIGUSR1", flatten: false)
                    try $0.flush(publish: publish)
                }
            } catch {
                logger.critical("kill switch could not be journaled", metadata: ["error": "\(error)"])
            }
        }
        defer { withExtendedLifetime(usr1) {} }
        try await ServiceRunner.run(
            name: name, subscriptions: node.subscriptions, options: mesh,
            work: { e, publish in try state.mutate { try $0.handle(e, publish: publish) } },
            batchEnd: { publish in try state.mutate { try $0.flush(publish: publish) } },
            onReady: { publish in
                publisher.withLock { $0 = publish }
                state.mutate { $0.requestMissing(publish: publish) }
            },
            watch: watch)
    }

    /// Creates `--journal-dir` (and its parents), or says which path and why not.
    static func makeJournalDirectory(_ dir: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ValidationError("--journal-dir \(dir): exists and is not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                // Named by the first part of the path that exists, rather than by Foundation's error text.
                var existing = (dir as NSString).deletingLastPathComponent
                while !existing.isEmpty && existing != "/" && !FileManager.default.fileExists(atPath: existing) {
                    existing = (existing as NSString).deletingLastPathComponent
                }
                var isDirectory: ObjCBool = false
                let reason = !FileManager.default.fileExists(atPath: existing.isEmpty ? "." : existing,
                                                             isDirectory: &isDirectory) || !isDirectory.boolValue
                    ? "\(existing) is not a directory"
                    : !FileManager.default.isWritableFile(atPath: existing.isEmpty ? "." : existing)
                        ? "\(existing.isEmpty ? "." : existing) is not writable (permission denied)"
                        : "the system refused it"
                throw ValidationError("--journal-dir \(dir): cannot create the directory: \(reason)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw ValidationError("--journal-dir \(dir): the directory is not writable")
        }
    }
}
