import Foundation
import TradingCore
import TradingRun
import Yams

/// A trained model as stored in `models/registry/<model-id>/`:
///
/// - `weights.f64`: the network's parameters as little-endian IEEE-754 doubles, in `LSTMNetwork`'s layout;
/// - `hyperparameters.json`: features, window length, layers and training settings;
/// - `scaler.json`: the per-column means and deviations fitted on the training rows, and the training targets' mean
///   and deviation (`target_mean`, `target_deviation`; absent for a network trained on unscaled returns);
/// - `metadata.json`: model id, input dimension, feature columns, data file and its SHA-256, training range,
///   validation losses per epoch, seed, and the SHA-256 of each of the three files above.
///
/// Loading checks every recorded hash and refuses a directory with a missing or changed file.
public struct ModelRegistryEntry: Sendable {
    public var hyperparameters: ModelHyperparameters
    public var network: LSTMNetwork
    public var scaler: StandardScaler
    public var metadata: Metadata

    /// What `metadata.json` records.
    public struct Metadata: Sendable, Equatable {
        public var modelID: String
        public var dataPath: String
        public var dataSHA256: String
        public var trainingStart: Int64
        public var trainingEnd: Int64
        public var trainingBars: Int
        public var epochs: [EpochReport]
        public var fileHashes: [(String, String)]

        public static func == (a: Metadata, b: Metadata) -> Bool {
            a.modelID == b.modelID && a.dataSHA256 == b.dataSHA256 && a.epochs == b.epochs
                && a.fileHashes.map(\.0) == b.fileHashes.map(\.0) && a.fileHashes.map(\.1) == b.fileHashes.map(\.1)
        }
    }

    static let files = ["weights.f64", "hyperparameters.json", "scaler.json"]

    public init(hyperparameters: ModelHyperparameters, network: LSTMNetwork, scaler: StandardScaler,
                metadata: Metadata) {
        self.hyperparameters = hyperparameters
        self.network = network
        self.scaler = scaler
        self.metadata = metadata
    }

    /// Writes the directory; returns the SHA-256 of `hyperparameters.json` (recorded by backtest manifests).
    public mutating func write(to directory: String) throws {
        try FileBytes.makeDirectory(directory)
        let contents: [(String, [UInt8])] = [
            ("weights.f64", network.parameters.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }),
            ("hyperparameters.json", Array(hyperparameters.json.utf8)),
            ("scaler.json", Array(scalerJSON.utf8)),
        ]
        metadata.fileHashes = contents.map { ($0.0, SHA256.hex(of: $0.1)) }
        for (name, bytes) in contents {
            guard FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(bytes)) else {
                throw ForecastError.badModel("\(directory)/\(name): cannot be written")
            }
        }
        try FileBytes.write(metadataJSON, to: directory + "/metadata.json")
    }

    var scalerJSON: String {
        var j = JSONWriter()
        j.object { j in
            j.rawField("means", "[" + scaler.means.map(JSONWriter.number).joined(separator: ", ") + "]")
            j.rawField("deviations", "[" + scaler.deviations.map(JSONWriter.number).joined(separator: ", ") + "]")
            if scaler.scalesTarget {
                j.field("target_mean", scaler.targetMean)
                j.field("target_deviation", scaler.targetDeviation)
            }
        }
        return j.text + "\n"
    }

    var metadataJSON: String {
        var j = JSONWriter()
        j.object { j in
            j.field("model_id", metadata.modelID)
            j.field("input_dim", network.inputDim)
            j.rawField("feature_columns", "[" + FeatureMatrix.columnNames(hyperparameters.features)
                .map(JSONWriter.quote).joined(separator: ", ") + "]")
            j.objectField("data") { j in
                j.field("path", metadata.dataPath)
                j.field("sha256", metadata.dataSHA256)
            }
            j.objectField("training_range") { j in
                j.field("start", Timestamps.iso8601(metadata.trainingStart))
                j.field("end", Timestamps.iso8601(metadata.trainingEnd))
                j.field("bars", metadata.trainingBars)
            }
            j.arrayField("epochs") { j in
                for e in metadata.epochs {
                    j.element { j in
                        j.field("epoch", e.epoch)
                        j.field("train_loss", e.trainLoss)
                        j.field("val_loss", e.validationLoss)
                    }
                }
            }
            j.field("best_val_loss", metadata.epochs.map(\.validationLoss).min())
            j.rawField("seed", String(hyperparameters.training.seed))
            j.objectField("sha256") { j in
                for (name, hash) in metadata.fileHashes { j.field(name, hash) }
            }
        }
        return j.text + "\n"
    }

    /// Loads and verifies a model directory.
    public static func load(directory: String) throws -> ModelRegistryEntry {
        guard let metaData = FileManager.default.contents(atPath: directory + "/metadata.json"),
              let meta = try? JSONSerialization.jsonObject(with: metaData) as? [String: Any] else {
            throw ForecastError.badModel("\(directory)/metadata.json: missing or not JSON")
        }
        let hashes = meta["sha256"] as? [String: String] ?? [:]
        var bytes: [String: [UInt8]] = [:]
        for name in files {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
                throw ForecastError.badModel("\(directory)/\(name): missing")
            }
            let actual = SHA256.hex(of: [UInt8](data))
            guard hashes[name] == actual else {
                throw ForecastError.badModel("\(directory)/\(name): SHA-256 \(actual) does not match metadata.json "
                                             + "(\(hashes[name] ?? "none")): the file is corrupted or was changed")
            }
            bytes[name] = [UInt8](data)
        }
        let h = try ModelHyperparameters.parse(String(decoding: bytes["hyperparameters.json"]!, as: UTF8.self),
                                               file: directory + "/hyperparameters.json")
        // Numbers are read with Swift's correctly rounded parser so that they come back bit for bit.
        let scaler = try StandardScaler.parse(String(decoding: bytes["scaler.json"]!, as: UTF8.self),
                                              file: directory + "/scaler.json")
        let (means, deviations) = (scaler.means, scaler.deviations)
        let inputDim = meta["input_dim"] as? Int ?? 0
        let weights = bytes["weights.f64"]!
        var network = LSTMNetwork(inputDim: inputDim, units: h.training.units)
        guard weights.count == network.parameterCount * 8, means.count == inputDim, deviations.count == inputDim,
              inputDim == FeatureMatrix.columnNames(h.features).count else {
            throw ForecastError.badModel("\(directory): weights (\(weights.count) bytes), scaler (\(means.count)) and "
                                         + "features (\(inputDim) inputs) do not fit together")
        }
        network.parameters = weights.withUnsafeBytes { raw in
            (0..<network.parameterCount).map { k in
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k * 8, as: UInt64.self)))
            }
        }
        let data = meta["data"] as? [String: Any] ?? [:]
        let range = meta["training_range"] as? [String: Any] ?? [:]
        let trainingStart = (range["start"] as? String).flatMap(Timestamps.parse)
        let trainingEnd = (range["end"] as? String).flatMap(Timestamps.parse)
        let trainingBars = range["bars"] as? Int ?? 0
        guard (trainingStart == nil) == (trainingEnd == nil), trainingStart ?? 0 <= trainingEnd ?? 0 else {
            throw ForecastError.badModel("\(directory)/metadata.json: training_range start/end must both be times, "
                                         + "start before end")
        }
        let metadata = Metadata(modelID: meta["model_id"] as? String ?? "", dataPath: data["path"] as? String ?? "",
                                dataSHA256: data["sha256"] as? String ?? "", trainingStart: trainingStart ?? 0,
                                trainingEnd: trainingEnd ?? 0, trainingBars: trainingStart == nil ? 0 : trainingBars,
                                epochs: [], fileHashes: files.map { ($0, hashes[$0] ?? "") })
        return ModelRegistryEntry(hyperparameters: h, network: network, scaler: scaler, metadata: metadata)
    }

    /// A registry entry for a network trained elsewhere (e.g. imported from Keras): its inputs must be the
    /// columns of `hyperparameters.features`; the scaler is given, or fitted on the training slice of `bars`.
    public static func imported(network: LSTMNetwork, hyperparameters h: ModelHyperparameters, scaler: StandardScaler?,
                                bars: BarSeries, dataPath: String, dataSHA256: String,
                                modelID: String) throws -> ModelRegistryEntry {
        let columns = FeatureMatrix.columnNames(h.features)
        guard network.inputDim == columns.count else {
            throw ForecastError.badModel("the model takes \(network.inputDim) inputs per step but the features give "
                                         + "\(columns.count) columns (\(columns.joined(separator: ", ")))")
        }
        guard h.training.units == network.units else {
            throw ForecastError.badModel("hyperparameters say units \(h.training.units) but the model has \(network.units)")
        }
        let matrix = FeatureMatrix(bars: bars, features: h.features)
        let end = ForecastPipeline.trainEnd(bars: bars.count, fraction: h.trainFraction)
        let fitted = try scaler ?? StandardScaler(fitting: matrix, rows: matrix.firstValidRow..<end)
        guard fitted.means.count == columns.count, fitted.deviations.count == columns.count else {
            throw ForecastError.badModel("the scaler has \(fitted.means.count) columns; the features give \(columns.count)")
        }
        return ModelRegistryEntry(
            hyperparameters: h, network: network, scaler: fitted,
            metadata: Metadata(modelID: modelID, dataPath: dataPath, dataSHA256: dataSHA256,
                               trainingStart: bars.time.first ?? 0, trainingEnd: bars.time[max(0, end - 1)],
                               trainingBars: end, epochs: [], fileHashes: []))
    }

    /// SHA-256 of `hyperparameters.json`, as recorded.
    public var hyperparametersSHA256: String {
        metadata.fileHashes.first { $0.0 == "hyperparameters.json" }?.1 ?? ""
    }
}

extension ModelRegistryEntry {
    /// What a run manifest records of this model, found at `path`.
    public func manifest(path: String) -> ModelManifest {
        var manifest = ModelManifest(path: path, fileHashes: metadata.fileHashes,
                                     hyperparametersSHA256: hyperparametersSHA256)
        if metadata.trainingBars > 0 {
            manifest.training = ModelManifest.Training(start: metadata.trainingStart, end: metadata.trainingEnd,
                                                       dataPath: metadata.dataPath, dataSHA256: metadata.dataSHA256)
        }
        return manifest
    }

    /// The times of `predictions` that fall in the model's training range (in-sample rows), as a count and the
    /// first and last such time; nil when none does or the metadata has no training range.
    public func inSample(_ predictions: [Prediction]) -> (count: Int, first: Int64, last: Int64)? {
        guard metadata.trainingBars > 0 else { return nil }
        let inside = predictions.lazy.map(\.time)
            .filter { $0 >= metadata.trainingStart && $0 <= metadata.trainingEnd }
        guard let first = inside.first, let last = inside.last(where: { _ in true }) else { return nil }
        return (inside.count, first, last)
    }

    /// Runs a backtest config's `model:`: loads (and verifies) the model and predicts every bar.
    public static let predictionProvider: ModelPredictionProvider = { path, bars in
        let entry = try ModelRegistryEntry.load(directory: path)
        return (ForecastPipeline.predictStreaming(entry, bars: bars), entry.manifest(path: path))
    }

    /// Verifies a backtest config's `model:` and describes it, without predicting.
    public static let manifestProvider: ModelManifestProvider = { path in
        try ModelRegistryEntry.load(directory: path).manifest(path: path)
    }
}
