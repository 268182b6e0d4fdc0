import TradingCore
import TradingRun
import Yams

/// Everything that defines how a model is built and trained (`config/model.yaml`; saved as
/// `hyperparameters.json` in the model's registry directory). Unknown keys are errors naming the key.
public struct ModelHyperparameters: Sendable, Equatable {
    public var features: [Feature] = Feature.standard
    public var tsteps = 24
    public var training = TrainingSettings(units: [16], epochs: 5, batchSize: 64, learningRate: 0.003)
    /// Leading fraction of the bars used for fitting (training + validation); the rest is out of sample.
    public var trainFraction = 0.7

    public init() {}

    static let keys = ["features", "tsteps", "units", "epochs", "batch_size", "learning_rate", "loss", "huber_delta",
                       "clip_norm", "validation_fraction", "patience", "seed", "train_fraction"]

    /// Parses YAML or JSON (JSON is YAML).
    public static func parse(_ text: String, file: String) throws -> ModelHyperparameters {
        guard let root = (try? Yams.compose(yaml: text)) ?? nil, let mapping = root.mapping else {
            throw ForecastError.badModel("\(file): expected a mapping of hyperparameters")
        }
        var h = ModelHyperparameters()
        var huberDelta = 1.0
        var loss = "mse"
        for (k, v) in mapping {
            let key = k.string ?? "?"
            func number() throws -> Double {
                guard let s = v.scalar?.string, let d = Double(s), d.isFinite else {
                    throw ForecastError.badModel("\(file): \(key): expected a number")
                }
                return d
            }
            func integer() throws -> Int {
                guard let s = v.scalar?.string, let i = Int(s), i > 0 else {
                    throw ForecastError.badModel("\(file): \(key): expected a positive integer")
                }
                return i
            }
            switch key {
            case "features":
                guard let list = v.sequence, !list.isEmpty else {
                    throw ForecastError.badModel("\(file): features: expected a list of feature names")
                }
                h.features = try list.map { try Feature(name: $0.string ?? "?") }
            case "tsteps": h.tsteps = try integer()
            case "units":
                if let list = v.sequence {
                    h.training.units = try list.map {
                        guard let i = Int($0.string ?? ""), i > 0 else {
                            throw ForecastError.badModel("\(file): units: expected positive integers")
                        }
                        return i
                    }
                } else {
                    h.training.units = [try integer()]
                }
            case "epochs": h.training.epochs = try integer()
            case "batch_size": h.training.batchSize = try integer()
            case "learning_rate": h.training.learningRate = try number()
            case "loss": loss = v.string ?? "?"
            case "huber_delta": huberDelta = try number()
            case "clip_norm": h.training.clipNorm = v.string == "null" || v.string == "~" ? nil : try number()
            case "validation_fraction": h.training.validationFraction = try number()
            case "patience": h.training.patience = try integer()
            case "seed":
                guard let s = v.string, let seed = UInt64(s) else {
                    throw ForecastError.badModel("\(file): seed: expected a non-negative integer")
                }
                h.training.seed = seed
            case "train_fraction": h.trainFraction = try number()
            default:
                throw ForecastError.badModel("\(file): \(key): unknown key (known: \(keys.joined(separator: ", ")))")
            }
        }
        switch loss {
        case "mse": h.training.loss = .mse
        case "huber": h.training.loss = .huber(delta: huberDelta)
        default: throw ForecastError.badModel("\(file): loss: expected mse or huber, got '\(loss)'")
        }
        guard h.trainFraction > 0 && h.trainFraction <= 1 else {
            throw ForecastError.badModel("\(file): train_fraction: must be in (0, 1]")
        }
        guard h.training.validationFraction > 0 && h.training.validationFraction < 1 else {
            throw ForecastError.badModel("\(file): validation_fraction: must be in (0, 1)")
        }
        return h
    }

    /// Canonical JSON (fixed key order), written as `hyperparameters.json`.
    public var json: String {
        var j = JSONWriter()
        j.object { j in
            j.rawField("features", "[" + features.map { JSONWriter.quote($0.name) }.joined(separator: ", ") + "]")
            j.field("tsteps", tsteps)
            j.rawField("units", "[" + training.units.map(String.init).joined(separator: ", ") + "]")
            j.field("epochs", training.epochs)
            j.field("batch_size", training.batchSize)
            j.field("learning_rate", training.learningRate)
            switch training.loss {
            case .mse: j.field("loss", "mse")
            case .huber(let d): j.field("loss", "huber"); j.field("huber_delta", d)
            }
            j.field("clip_norm", training.clipNorm)
            j.field("validation_fraction", training.validationFraction)
            j.field("patience", training.patience)
            j.rawField("seed", String(training.seed))
            j.field("train_fraction", trainFraction)
        }
        return j.text + "\n"
    }
}
