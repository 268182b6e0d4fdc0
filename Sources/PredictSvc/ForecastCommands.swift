import ArgumentParser
import Forecast
import Foundation
import Logging
import TradingCore
import TradingRun

/// Shared: logging to stderr, one-line errors with exit 1, loading bars.
enum ForecastCommandSupport {
    static func logger() -> Logger {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var l = Logger(label: "PredictSvc")
        l.logLevel = ProcessInfo.processInfo.environment["TRADEMESH_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        return l
    }

    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    static func bars(_ path: String, symbol: String) throws -> BarSeries {
        try BarCSVLoader.load(path: path, symbol: symbol).series
    }
}

/// `PredictSvc train --data CSV --config config/model.yaml --out models/registry/<id>`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the LSTM on the leading part of a bars file and save it in the model registry.",
        discussion: "Progress (loss, val-loss, ETA) goes to stderr. Same data, hyperparameters and seed give "
            + "byte-identical files.")

    @Option(help: "Bars CSV.") var data: String
    @Option(help: "Hyperparameters (YAML).") var config: String = "config/model.yaml"
    @Option(help: "Model directory, e.g. models/registry/nvda-lstm.") var out: String
    @Option(help: "Symbol name.") var symbol: String = "NVDA"

    func run() throws {
        let logger = ForecastCommandSupport.logger()
        try ForecastCommandSupport.run {
            let h = try ModelHyperparameters.parse(String(decoding: try FileBytes.read(config), as: UTF8.self),
                                                   file: config)
            let bars = try ForecastCommandSupport.bars(data, symbol: symbol)
            let started = DispatchTime.now().uptimeNanoseconds
            var model = try ForecastPipeline(logger: logger).train(
                bars: bars, dataPath: data, dataSHA256: try FileBytes.sha256(data),
                modelID: URL(fileURLWithPath: out).lastPathComponent, hyperparameters: h
            ) { e in
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                let eta = elapsed / Double(e.epoch) * Double(h.training.epochs - e.epoch)
                FileHandle.standardError.write(Data(String(
                    format: "epoch %d/%d  loss %.6g  val_loss %.6g  elapsed %.1fs  eta %.1fs\n",
                    e.epoch, h.training.epochs, e.trainLoss, e.validationLoss, elapsed, eta).utf8))
            }
            try model.write(to: out)
            print("model written to \(out)")
        }
    }
}

/// `PredictSvc tune --data CSV --trials N --out DIR`.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Seeded random search over units, layers, tsteps and learning rate; writes the best "
            + "hyperparameters.json and trials.csv.",
        discussion: "Trials are scored by their best validation loss on the training slice only.")

    @Option(help: "Bars CSV.") var data: String
    @Option(help: "Number of trials.") var trials: Int = 8
    @Option(help: "Base hyperparameters (YAML); the search varies units, tsteps and learning_rate.")
    var config: String = "config/model.yaml"
    @Option(help: "Seed of the search.") var seed: UInt64 = 7
    @Option(help: "Output directory for hyperparameters.json and trials.csv.") var out: String
    @Option(help: "Symbol name.") var symbol: String = "NVDA"

    func run() throws {
        let logger = ForecastCommandSupport.logger()
        try ForecastCommandSupport.run {
            let base = try ModelHyperparameters.parse(String(decoding: try FileBytes.read(config), as: UTF8.self),
                                                      file: config)
            let bars = try ForecastCommandSupport.bars(data, symbol: symbol)
            let (all, best) = try HyperparameterSearch(logger: logger).run(
                bars: bars, base: base, trials: trials, seed: seed
            ) { t in
                FileHandle.standardError.write(Data(("tune: trial \(t.number)/\(trials)  units \(t.hyperparameters.training.units)"
                    + "  tsteps \(t.hyperparameters.tsteps)  lr \(t.hyperparameters.training.learningRate)"
                    + "  best val_loss \(t.bestValidationLoss)\n").utf8))
            }
            try FileBytes.makeDirectory(out)
            try FileBytes.write(best.hyperparameters.json, to: out + "/hyperparameters.json")
            try FileBytes.write(HyperparameterSearch.table(all), to: out + "/trials.csv")
            print("best: trial \(best.number) (val_loss \(best.bestValidationLoss)); written to \(out)/hyperparameters.json")
        }
    }
}

/// `PredictSvc import-keras --keras model.keras --config config/model.yaml --data CSV --out models/registry/<id>`.
struct ImportKerasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-keras",
        abstract: "Put a model trained in Keras (.keras archive) into the registry so Backtester and PredictSvc run it.",
        discussion: "The hyperparameters file names the features (their columns must be the model's inputs, in "
            + "order) and tsteps; units are read from the model. The scaler comes from --scaler (JSON with means "
            + "and deviations per column) or is fitted on the training slice of --data.")

    @Option(help: "Keras 3 .keras archive.") var keras: String
    @Option(help: "Hyperparameters (YAML) naming features and tsteps.") var config: String = "config/model.yaml"
    @Option(help: "Bars CSV the scaler is fitted on (and recorded in the metadata).") var data: String
    @Option(help: "Scaler JSON {\"means\": [...], \"deviations\": [...]} instead of fitting one.") var scaler: String?
    @Option(help: "Model directory to write.") var out: String
    @Option(help: "Symbol name.") var symbol: String = "NVDA"

    func run() throws {
        try ForecastCommandSupport.run {
            let network = try KerasImporter.load(path: keras)
            var h = try ModelHyperparameters.parse(String(decoding: try FileBytes.read(config), as: UTF8.self),
                                                   file: config)
            h.training.units = network.units
            var given: StandardScaler?
            if let scaler {
                given = try StandardScaler.parse(String(decoding: try FileBytes.read(scaler), as: UTF8.self), file: scaler)
            }
            var entry = try ModelRegistryEntry.imported(
                network: network, hyperparameters: h, scaler: given,
                bars: try ForecastCommandSupport.bars(data, symbol: symbol), dataPath: data,
                dataSHA256: try FileBytes.sha256(data), modelID: URL(fileURLWithPath: out).lastPathComponent)
            try entry.write(to: out)
            print("imported \(keras) (LSTM \(network.units), \(network.inputDim) inputs) into \(out)")
        }
    }
}

/// The model and the bars a command runs it on.
struct ModelDataOptions: ParsableArguments {
    @Option(help: "Model directory (models/registry/<id>).") var model: String
    @Option(help: "Bars CSV.") var data: String
    @Option(help: "Symbol name.") var symbol: String = "NVDA"

    func load() throws -> (ModelRegistryEntry, BarSeries) {
        (try ModelRegistryEntry.load(directory: model), try ForecastCommandSupport.bars(data, symbol: symbol))
    }
}

/// `PredictSvc predict --model DIR --data CSV --out predictions.csv`, or walk-forward:
/// `PredictSvc predict --walk-forward --train-bars N --retrain-every K --config config/model.yaml --data CSV --out F`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Write the cached-predictions CSV (Time,predicted_price,predicted_return) that Backtester reads.",
        discussion: "With --walk-forward, a model is retrained every --retrain-every bars on the --train-bars bars "
            + "before, so that each prediction comes from a model trained only on earlier bars.")

    @Option(help: "Model directory (models/registry/<id>); not with --walk-forward.") var model: String?
    @Option(help: "Bars CSV.") var data: String
    @Option(help: "Symbol name.") var symbol: String = "NVDA"
    @Option(help: "Output CSV.") var out: String
    @Flag(name: .customLong("walk-forward"), help: "Retrain as time moves forward.") var walkForward = false
    @Option(name: .customLong("train-bars"), help: "Walk-forward: bars in each training window.") var trainBars: Int = 2_000
    @Option(name: .customLong("retrain-every"), help: "Walk-forward: bars between retrainings.") var retrainEvery: Int = 500
    @Option(help: "Walk-forward: hyperparameters (YAML).") var config: String = "config/model.yaml"

    func run() throws {
        let logger = ForecastCommandSupport.logger()
        try ForecastCommandSupport.run {
            let bars = try ForecastCommandSupport.bars(data, symbol: symbol)
            let predictions: [Prediction]
            var inSampleNote: String?
            if walkForward {
                let h = try ModelHyperparameters.parse(String(decoding: try FileBytes.read(config), as: UTF8.self),
                                                       file: config)
                predictions = try ForecastPipeline(logger: logger).walkForward(
                    bars: bars, hyperparameters: h, trainBars: trainBars, retrainEvery: retrainEvery
                ) { done, total in
                    FileHandle.standardError.write(Data("walk-forward: model \(done)/\(total)\n".utf8))
                }
            } else {
                guard let model else { throw ValidationError("give --model DIR, or --walk-forward") }
                let entry = try ModelRegistryEntry.load(directory: model)
                predictions = ForecastPipeline.predict(entry, bars: bars)
                inSampleNote = Self.inSampleNote(entry, predictions: predictions)
            }
            var text = "Time,predicted_price,predicted_return\n"
            for p in predictions {
                text += Timestamps.iso8601(p.time) + "," + JSONWriter.number(p.predictedPrice) + ","
                    + JSONWriter.number(p.predictedReturn) + "\n"
            }
            try FileBytes.write(text, to: out)
            print("\(predictions.count) predictions written to \(out)")
            if let inSampleNote { print(inSampleNote) }
        }
    }

    /// Which rows are in-sample (made on the model's own training bars), or that none is.
    static func inSampleNote(_ entry: ModelRegistryEntry, predictions: [Prediction]) -> String? {
        let m = entry.metadata
        guard m.trainingBars > 0 else { return nil }
        let range = "\(Timestamps.iso8601(m.trainingStart)) .. \(Timestamps.iso8601(m.trainingEnd))"
        guard let inside = entry.inSample(predictions) else {
            return "in-sample: none (the model's training bars are \(range))"
        }
        return "in-sample: \(inside.count) of \(predictions.count) rows, \(Timestamps.iso8601(inside.first)) .. "
            + "\(Timestamps.iso8601(inside.last)), fall in the model's training bars (\(range)); "
            + "score or backtest only the rows after \(Timestamps.iso8601(m.trainingEnd))"
    }
}

/// `PredictSvc evaluate --model DIR --data CSV`, or `PredictSvc evaluate --predictions CSV --data CSV`.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Out-of-sample scores of a model or a predictions file against naive baselines, with a verdict.",
        discussion: """
            Prints the out-of-sample range, MSE, MAE and directional accuracy of the forecaster and of three \
            baselines (zero_return, last_return, ar1), then one line per baseline: beats / does not beat, from a \
            Diebold–Mariano test on the squared-error loss difference (two-sided, 5 %). With --model the \
            out-of-sample range is the bars after the model's training slice; with --predictions (for example \
            walk-forward output) it is the bars that have a prediction, and ar1 is fitted on the bars before them.
            """)

    @Option(help: "Model directory (models/registry/<id>).") var model: String?
    @Option(help: "Predictions CSV (Time,predicted_price,predicted_return), instead of --model.")
    var predictions: String?
    @Option(help: "Bars CSV.") var data: String
    @Option(help: "Symbol name.") var symbol: String = "NVDA"

    func validate() throws {
        guard (model == nil) != (predictions == nil) else {
            throw ValidationError("give either --model DIR or --predictions CSV")
        }
    }

    func run() throws {
        try ForecastCommandSupport.run {
            let bars = try ForecastCommandSupport.bars(data, symbol: symbol)
            let evaluation: ForecastEvaluation
            if let model {
                evaluation = try ForecastPipeline.evaluate(try ModelRegistryEntry.load(directory: model), bars: bars)
            } else if let predictions {
                let loaded = try PredictionCSVLoader.load(path: predictions)
                let aligned = PredictionCSVLoader.align(loaded.predictions, to: bars)
                guard let first = aligned.predictedReturns.firstIndex(where: { !$0.isNaN }) else {
                    throw ValidationError("no prediction in \(predictions) falls on a bar of \(data)")
                }
                evaluation = try ForecastEvaluation(bars: bars, predictedReturns: aligned.predictedReturns,
                                                    from: first, fitEnd: first, forecasterName: "predictions")
            } else {
                return
            }
            print(Self.report(evaluation), terminator: "")
        }
    }

    /// The table and the verdicts, as printed.
    static func report(_ e: ForecastEvaluation) -> String {
        let count = e.scores.first?.count ?? 0
        var text = "out of sample: \(Timestamps.iso8601(e.first)) .. \(Timestamps.iso8601(e.last)) "
            + "(\(count) forecasts of the next bar's return)\n"
        text += "forecaster   forecasts          mse          mae  directional\n"
        for s in e.scores {
            let name = s.name + String(repeating: " ", count: max(0, 12 - s.name.count))
            let dir = s.directionalAccuracy.map { String(format: "%10.2f%%", $0 * 100) } ?? "       n/a"
            text += name + String(format: " %9d %12.4e %12.4e ", s.count, s.mse, s.mae) + dir + "\n"
        }
        let name = e.scores.first?.name ?? "model"
        text += "verdict (Diebold–Mariano on squared error, two-sided, significant below p = 0.05):\n"
        for c in e.comparisons { text += "  \(name) \(c.verdict)\n" }
        return text
    }
}
