import ArgumentParser
import Brokers
import Forecast
import Foundation
import IBKRBroker
import Journal
import MeshCLI
import MeshKit
import MeshServices
import Synchronization
import TradingCore
import TradingRun
import UnixSignals

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
            if kind == .ibkrPaper {
                // Paper first: an account that is not an IB paper id never reaches TWS with this broker (the
                // broker checks the login's accounts again on every connect).
                guard let account, IBKRPaperGuard.isPaperAccount(account) else {
                    throw ValidationError("--broker ibkr-paper: --account must be an IB paper account id (it starts "
                                          + "with DU, DF or DI), got '\(account ?? "")'; live accounts need "
                                          + "--broker ibkr-live and the live-money guard")
                }
            }
            guard kind == .simulated else {
                throw ValidationError("--broker \(broker): the execution service cannot drive the Interactive "
                                      + "Brokers broker yet (its execution model expects each order to fill within "
                                      + "its bar); use --broker simulated")
            }
            guard let config = try run.load() else { return }
            let logger = mesh.logger(label: name)
            let runner = BacktestRunner(codeVersion: CodeVersion.current(), logger: logger,
                                        modelManifestProvider: ModelRegistryEntry.manifestProvider)
            let secret = try OperatorSecret.loadOrCreate(path: OperatorSecret.path(
                explicit: operatorSecret, endpoints: try mesh.endpoints(),
                environment: ProcessInfo.processInfo.environment))
            logger.info("operator secret", metadata: ["path": "\(secret.path)"])
            var barLog: ExecutionNode.BarLog?
            if let liveLog {
                let log = try LiveMetricsLog(path: liveLog)
                barLog = { report in log.append(report) }
            }
            // The wall clock only names a new journal in --journal-dir.
            node = try ExecutionSession(
                name: name, config: config, runner: runner,
                options: .init(out: out, journal: journal, journalDirectory: journalDirectory, resume: resume),
                operatorSecret: secret, barLog: barLog, clock: SystemMeshClock(), logger: logger
            ) { directory in print("results: \(directory)") }.node
        }
        guard let node else {
            return try await ServiceRunner.run(name: name, subscriptions: ["bar.", "signal.", "ctl."], options: mesh)
        }
        let state = Locked(node)
        let timeout = resumeTimeout
        let watch = MeshNodeService.Watch(after: .milliseconds(Int64(timeout * 1000))) {
            state.mutate { $0.feedSilence(after: timeout) }
        }
        // SIGUSR1 is the kill switch too (`kill -USR1 <pid>`), for when the bus itself is in trouble; trapped with
        // ServiceLifecycle's signal support, like SIGTERM.
        let logger = mesh.logger(label: name)
        // The service's publisher, once on the bus: a kill by signal goes through the same blocking lane as the
        // batches, after them, so that the journal keeps its order.
        let publisher = Mutex<MeshNodeService.Publish?>(nil)
        let usr1 = await UnixSignalsSequence(trapping: .sigusr1)
        let killSwitch = Task {
            for await _ in usr1 {
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
        }
        defer { killSwitch.cancel() }
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
}
