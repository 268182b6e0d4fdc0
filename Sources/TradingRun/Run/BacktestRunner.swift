import TradingCore
import Foundation
import Logging

/// Runs a configured backtest end to end: load and validate inputs, run the engine, compute metrics and write
/// `trades.csv`, `equity.csv`, `metrics.json` and the manifest `run.json`.
public struct BacktestRunner: Sendable {
    /// Identifies the code that produced a run (recorded in `run.json`).
    public var codeVersion: String
    private let logger: Logger
    private let modelProvider: ModelPredictionProvider?
    private let modelManifestProvider: ModelManifestProvider?

    /// - Parameters:
    ///   - modelProvider: runs a config's `model:` (the forecasting library supplies it).
    ///   - modelManifestProvider: verifies a config's `model:` and describes it, without running it.
    public init(codeVersion: String, logger: Logger, modelProvider: ModelPredictionProvider? = nil,
                modelManifestProvider: ModelManifestProvider? = nil) {
        self.codeVersion = codeVersion
        self.logger = logger
        self.modelProvider = modelProvider
        self.modelManifestProvider = modelManifestProvider
    }

    /// What a run produced, for the summary.
    public struct Outcome: Sendable {
        public var directory: String
        public var runID: String
        public var metrics: Metrics
        public var result: BacktestResult
        public var inputs: RunInputs
    }

    /// Loads and validates a config's bars: the whole file (`load.series`) and the bars between `start` and `end`.
    public func loadBars(_ config: BacktestConfig) throws -> (load: BarLoadResult, bars: BarSeries) {
        let load = try BarCSVLoader.load(path: config.data, symbol: config.symbol, onBadRow: config.onBadRow)
        if !load.format.notes.isEmpty {
            logger.notice("data format detected", metadata: ["file": "\(config.data)", "format": "\(load.format.summary)"])
        }
        reportSkipped(load.skipped, "skipped bad row")
        let startTime = try config.start.map { try Self.bound($0, key: "start", endOfDay: false) }
        let endTime = try config.end.map { try Self.bound($0, key: "end", endOfDay: true) }
        let bars = (startTime == nil && endTime == nil) ? load.series : load.series.slice(start: startTime, end: endTime)
        guard bars.count > 0 else {
            throw ConfigError.invalid("start/end", "no bars of \(config.data) fall between start and end")
        }
        return (load, bars)
    }

    /// How many skipped rows are logged one by one; the rest are counted in one more line (a file of garbage
    /// must not turn into as many lines of log).
    public static let skippedRowsLogged = 20

    private func reportSkipped(_ issues: [DataIssue], _ message: Logger.Message) {
        for issue in issues.prefix(Self.skippedRowsLogged) {
            logger.warning(message, metadata: ["row": "\(issue)"])
        }
        if issues.count > Self.skippedRowsLogged {
            logger.warning("more rows skipped, not listed", metadata: [
                "count": "\(issues.count - Self.skippedRowsLogged)", "total": "\(issues.count)"])
        }
    }

    /// Loads the inputs a config names, validating them and hashing the files. With `predicting: false` the
    /// predictions are left out (all NaN) but their files are still verified and hashed for the manifest.
    public func loadInputs(_ config: BacktestConfig, predicting: Bool = true) throws -> RunInputs {
        // Loaded before hashing: a file that cannot be data is refused from its first bytes, not read whole.
        let (load, bars) = try loadBars(config)
        let dataSHA256 = try FileBytes.sha256(config.data)
        var inputs = RunInputs(bars: bars, barsPerYear: load.barsPerYear, skippedRows: load.skipped,
                               dataSHA256: dataSHA256, predictedReturns: [], predictionsSHA256: nil)
        inputs.dataFormat = load.format
        if !predicting {
            inputs.predictedReturns = Array(repeating: .nan, count: bars.count)
            if let path = config.predictions {
                // Loaded and checked here too, so that a replay refuses what `run` refuses before starting its
                // services.
                let (predictions, _) = try PredictionCSVLoader.load(path: path, onBadRow: config.onBadRow)
                if !config.allowMissingPredictions {
                    try Self.checkAlignment(PredictionCSVLoader.alignment(predictions, to: bars), config: config)
                }
                inputs.predictionsSHA256 = try FileBytes.sha256(path)
            } else if let path = config.model {
                guard let describe = modelManifestProvider else {
                    throw ConfigError.invalid("model", "this command cannot run models")
                }
                let manifest = try describe(path)
                try checkLookAhead(manifest, bars: bars, config: config, dataSHA256: dataSHA256)
                inputs.model = manifest
            }
        } else if let path = config.predictions {
            let (predictions, skipped) = try PredictionCSVLoader.load(path: path, onBadRow: config.onBadRow)
            let predictionsSHA256 = try FileBytes.sha256(path)
            reportSkipped(skipped, "skipped bad prediction row")
            inputs.skippedRows += skipped
            let alignment = PredictionCSVLoader.alignment(predictions, to: bars)
            if !config.allowMissingPredictions { try Self.checkAlignment(alignment, config: config) }
            inputs.predictedReturns = alignment.predictedReturns
            inputs.predictionsSHA256 = predictionsSHA256
        } else if let path = config.model {
            guard let provider = modelProvider else {
                throw ConfigError.invalid("model", "this command cannot run models")
            }
            if let describe = modelManifestProvider {
                // Checked before the (slow) predictions are made.
                try checkLookAhead(try describe(path), bars: bars, config: config, dataSHA256: dataSHA256)
            }
            // Predictions over the whole file, so that indicator warm-up may use bars before `start`.
            let made = try provider(path, load.series)
            if modelManifestProvider == nil {
                try checkLookAhead(made.manifest, bars: bars, config: config, dataSHA256: dataSHA256)
            }
            inputs.predictedReturns = PredictionCSVLoader.align(made.predictions, to: bars).predictedReturns
            inputs.model = made.manifest
        } else {
            inputs.predictedReturns = Array(repeating: .nan, count: bars.count)
        }
        return inputs
    }

    /// The look-ahead guard: fails when the bars traded (the window `bars`) overlap the model's training bars, unless
    /// `allow_in_sample`; warns when the data file is not the one the model was trained on.
    private func checkLookAhead(_ model: ModelManifest, bars: BarSeries, config: BacktestConfig, dataSHA256: String)
        throws
    {
        guard let training = model.training, let first = bars.time.first, let last = bars.time.last else { return }
        if dataSHA256 != training.dataSHA256 {
            logger.warning("the data file differs from the model's training data", metadata: [
                "data": "\(config.data)", "sha256": "\(dataSHA256)", "training_data": "\(training.dataPath)",
                "training_sha256": "\(training.dataSHA256)"])
        }
        guard first <= training.end && training.start <= last, !config.allowInSample else { return }
        throw ConfigError.invalid("model", "the backtest window \(Timestamps.iso8601(first)) .. "
            + "\(Timestamps.iso8601(last)) overlaps the training bars of \(model.path) "
            + "(\(Timestamps.iso8601(training.start)) .. \(Timestamps.iso8601(training.end))): its predictions there are "
            + "in-sample and the results would look better than the model is; start the window after "
            + "\(Timestamps.iso8601(training.end)) (start: …), or pass --allow-in-sample (allow_in_sample: true) to run "
            + "anyway")
    }

    /// Fails when the predictions file's times do not plausibly match the bars' (`PredictionAlignment.isPlausible`).
    private static func checkAlignment(_ alignment: PredictionAlignment, config: BacktestConfig) throws {
        if let why = alignment.implausibility(predictionsFile: config.predictions ?? "predictions",
                                              barsFile: config.data) {
            throw ConfigError.invalid("predictions", why)
        }
    }

    /// Runs `config` and writes its files into `outDirectory` (default `backtests/<run-id>`).
    public func run(_ config: BacktestConfig, outDirectory: String?) throws -> Outcome {
        let inputs = try loadInputs(config)
        let result: BacktestResult
        if let path = config.riskRules {
            result = try Backtest.runStreaming(bars: inputs.bars, predictedReturns: inputs.predictedReturns,
                                               strategy: config.strategy, execution: config.execution,
                                               riskLimits: try Self.riskLimits(path))
        } else {
            result = try Backtest.run(bars: inputs.bars, predictedReturns: inputs.predictedReturns,
                                      strategy: config.strategy, execution: config.execution)
        }
        return try write(result, inputs: inputs, config: config, outDirectory: outDirectory)
    }

    /// The risk limits of a `risk_rules:` file (config/risk.yaml's format).
    public static func riskLimits(_ path: String) throws -> RiskLimits {
        let text = String(decoding: try FileBytes.read(path), as: UTF8.self)
        return try RiskLimits.parse(text, file: path).limits
    }

    /// Writes a finished run's files — by `run`, and by the execution service at the end of a replay.
    public func write(_ result: BacktestResult, inputs: RunInputs, config: BacktestConfig,
                      outDirectory: String?) throws -> Outcome {
        let metrics = Metrics(result: result, barsPerYear: inputs.barsPerYear)
        let manifest = RunManifest(codeVersion: codeVersion, config: config, dataSHA256: inputs.dataSHA256,
                                   predictionsSHA256: inputs.predictionsSHA256, model: inputs.model)
        let directory = outDirectory ?? "backtests/" + manifest.runID
        // Written aside and moved into place at the end: a failed write leaves no directory that looks complete.
        try ResultDirectory.write(to: directory) { staging in
            var trades = try TextFileWriter(path: staging + "/trades.csv")
            ResultWriter.tradesCSV(result.trades, into: &trades)
            try trades.close()
            var equity = try TextFileWriter(path: staging + "/equity.csv")
            ResultWriter.equityCSV(result.equity, initialCapital: result.initialCapital, into: &equity)
            try equity.close()
            try FileBytes.write(ResultWriter.metricsJSON(
                metrics, openPosition: result.openPosition, start: inputs.bars.time.first,
                end: inputs.bars.time.last, skippedRows: inputs.skippedRows.count),
                                to: staging + "/metrics.json")
            try FileBytes.write(manifest.json, to: staging + "/run.json")
            if let events = result.riskEvents {
                var risk = try TextFileWriter(path: staging + "/risk.csv")
                ResultWriter.riskCSV(events, into: &risk)
                try risk.close()
            }
            try RunReport.write(directory: staging, bars: inputs.bars)
        }
        logger.info("backtest written", metadata: ["dir": "\(directory)", "run_id": "\(manifest.runID)"])
        return Outcome(directory: directory, runID: manifest.runID, metrics: metrics, result: result, inputs: inputs)
    }

    /// Re-runs the run described by a manifest, after checking that its input files are unchanged.
    public func rerun(manifestPath: String, outDirectory: String) throws -> Outcome {
        let text = String(decoding: try FileBytes.read(manifestPath), as: UTF8.self)
        let manifest = try RunManifest.parse(text, file: manifestPath)
        try check(manifest.config.data, sha256: manifest.dataSHA256)
        if let p = manifest.config.predictions, let sha = manifest.predictionsSHA256 { try check(p, sha256: sha) }
        if let m = manifest.model {
            for (name, sha) in m.fileHashes { try check(m.path + "/" + name, sha256: sha) }
        }
        return try run(manifest.config, outDirectory: outDirectory)
    }

    private func check(_ path: String, sha256 expected: String) throws {
        let actual = try FileBytes.sha256(path)
        if actual != expected {
            throw ConfigError.invalid(path, "file changed since the run: SHA-256 is \(actual), the manifest says \(expected)")
        }
    }

    /// Parses a `start`/`end` bound; a bare date as `end` includes that whole day.
    static func bound(_ text: String, key: String, endOfDay: Bool) throws -> Int64 {
        guard let t = Timestamps.parse(text) else {
            throw ConfigError.wrongType(key, expected: "a date or date-time (YYYY-MM-DD[THH:MM:SS])", got: text)
        }
        return endOfDay && text.count == 10 ? t + Timestamps.nanosPerDay - 1 : t
    }

    /// A one-screen summary of a finished run.
    public static func summary(_ o: Outcome, config: BacktestConfig) -> String {
        let m = o.metrics
        func pct(_ v: Double?) -> String { v.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a" }
        func fmt(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "n/a" }
        var lines = [
            "TradeMesh backtest \(o.runID)  \(config.symbol)  \(config.strategy.name)",
        ]
        if !o.inputs.dataFormat.notes.isEmpty { lines.append("  data format     \(o.inputs.dataFormat.summary)") }
        lines += [
            "  bars            \(m.bars)  (\(Timestamps.iso8601(o.inputs.bars.time.first ?? 0)) .. \(Timestamps.iso8601(o.inputs.bars.time.last ?? 0)))",
            "  final equity    \(String(format: "%.2f", m.finalEquity))  (initial \(String(format: "%.2f", o.result.initialCapital)))",
            "  total return    \(pct(m.totalReturn))   CAGR \(pct(m.cagr))",
            "  sharpe          \(fmt(m.sharpe))   sortino \(fmt(m.sortino))",
            "  max drawdown    \(pct(m.maxDrawdown))   longest \(m.maxDrawdownDurationBars) bars",
            "  trades          \(m.numTrades)   win rate \(pct(m.winRate))   profit factor \(fmt(m.profitFactor))",
            "  exposure        \(pct(m.exposure))",
            "  rejected orders \(m.rejectedOrders)   bars without prediction \(m.barsWithoutPrediction)   daily cap hits \(m.dailyCapHits)",
        ]
        if let p = o.result.openPosition {
            lines.append("  open position   \(p.side.rawValue) \(String(format: "%g", p.size)) @ \(String(format: "%.2f", p.entryPrice)), "
                         + "marked \(String(format: "%.2f", p.markPrice)), unrealised \(String(format: "%.2f", p.unrealizedPnL))")
        }
        if !o.inputs.skippedRows.isEmpty { lines.append("  skipped rows    \(o.inputs.skippedRows.count)") }
        if let events = o.result.riskEvents {
            let denials = events.filter { $0.kind == "denied" }.count
            let halts = events.filter { $0.kind == "state" && $0.rule == TradingState.halted.rawValue }.count
            lines.append("  risk rules      \(denials) orders denied, halted \(halts) times (risk.csv)")
        }
        lines.append("results: \(o.directory)  (trades.csv, equity.csv, metrics.json, run.json, report.html)")
        return lines.joined(separator: "\n")
    }
}

/// Validated, aligned inputs of one run.
public struct RunInputs: Sendable {
    public var bars: BarSeries
    public var barsPerYear: Double
    public var skippedRows: [DataIssue]
    public var dataSHA256: String
    public var predictedReturns: [Double]
    public var predictionsSHA256: String?
    public var model: ModelManifest? = nil
    /// How the bars file is written, as the loader detected it.
    public var dataFormat = CSVDialect()

    public init(bars: BarSeries, barsPerYear: Double, skippedRows: [DataIssue], dataSHA256: String,
                predictedReturns: [Double], predictionsSHA256: String?, model: ModelManifest? = nil) {
        self.bars = bars
        self.barsPerYear = barsPerYear
        self.skippedRows = skippedRows
        self.dataSHA256 = dataSHA256
        self.predictedReturns = predictedReturns
        self.predictionsSHA256 = predictionsSHA256
        self.model = model
    }
}

/// Makes predictions for a bar series from a model directory (supplied by the forecasting library).
public typealias ModelPredictionProvider = @Sendable (_ modelPath: String, _ bars: BarSeries) throws
    -> (predictions: [Prediction], manifest: ModelManifest)

/// Verifies a model directory and describes it for a manifest, without running it.
public typealias ModelManifestProvider = @Sendable (_ modelPath: String) throws -> ModelManifest

/// What a run manifest records of a model: its path, the SHA-256 of each of its files and of its hyperparameters.
public struct ModelManifest: Sendable, Equatable {
    public var path: String
    public var fileHashes: [(String, String)]
    public var hyperparametersSHA256: String
    /// What the model was trained on, when its metadata says (not written to manifests).
    public var training: Training?

    /// A model's training bars: first and last time (inclusive) and the data file with its SHA-256.
    public struct Training: Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var dataPath: String
        public var dataSHA256: String

        public init(start: Int64, end: Int64, dataPath: String, dataSHA256: String) {
            self.start = start
            self.end = end
            self.dataPath = dataPath
            self.dataSHA256 = dataSHA256
        }
    }

    public init(path: String, fileHashes: [(String, String)], hyperparametersSHA256: String) {
        self.path = path
        self.fileHashes = fileHashes
        self.hyperparametersSHA256 = hyperparametersSHA256
    }

    /// Writes the path, the hyperparameters' SHA-256 and each file's SHA-256 into the object `j` is writing.
    public func write(into j: inout JSONWriter) {
        j.field("path", path)
        j.field("hyperparameters_sha256", hyperparametersSHA256)
        j.objectField("sha256") { j in
            for (name, hash) in fileHashes { j.field(name, hash) }
        }
    }

    public static func == (a: ModelManifest, b: ModelManifest) -> Bool {
        a.path == b.path && a.hyperparametersSHA256 == b.hyperparametersSHA256
            && a.fileHashes.map(\.0) == b.fileHashes.map(\.0) && a.fileHashes.map(\.1) == b.fileHashes.map(\.1)
    }
}
