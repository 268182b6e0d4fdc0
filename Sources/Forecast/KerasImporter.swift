import Foundation

/// Reads a Keras 3 model — a `.keras` archive (zip of `config.json` and `model.weights.h5`), or a `.weights.h5`
/// file with its `config.json` — into an `LSTMNetwork`. Supported: Sequential models of LSTM layers (tanh,
/// sigmoid recurrent activation, bias, every layer but the last returning sequences) and one `Dense(1)` linear
/// head. Anything else is an error naming the layer and option.
public enum KerasImporter {
    public static func load(path: String) throws -> LSTMNetwork {
        let archive = try ZipArchive(path: path)
        let config = try archive.member("config.json")
        let weights = try archive.member("model.weights.h5")
        let temporary = FileManager.default.temporaryDirectory
            .appendingPathComponent("trademesh-keras-\(UUID().uuidString).weights.h5").path
        guard FileManager.default.createFile(atPath: temporary, contents: Data(weights)) else {
            throw ForecastError.badModel("\(temporary): cannot be written")
        }
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        return try load(configJSON: config, weightsPath: temporary, name: path)
    }

    /// A bare `.weights.h5` and the model's `config.json`.
    public static func load(weightsPath: String, configPath: String) throws -> LSTMNetwork {
        guard let config = FileManager.default.contents(atPath: configPath) else {
            throw ForecastError.badModel("\(configPath): no such file")
        }
        return try load(configJSON: [UInt8](config), weightsPath: weightsPath, name: weightsPath)
    }

    static func load(configJSON: [UInt8], weightsPath: String, name: String) throws -> LSTMNetwork {
        let layers = try sequentialLayers(configJSON, name: name)
        let h5 = try HDF5File(path: weightsPath)
        var units: [Int] = []
        var lstmWeights: [(w: [Double], u: [Double], b: [Double])] = []
        var inputDim = 0
        for (index, layer) in layers.enumerated() where layer.className == "LSTM" {
            let group = "/layers/lstm" + (lstmWeights.isEmpty ? "" : "_\(lstmWeights.count)") + "/cell/vars/"
            let (w, wShape) = try h5.doubles(group + "0")
            let (u, uShape) = try h5.doubles(group + "1")
            let (b, _) = try h5.doubles(group + "2")
            let n = wShape.last.map { $0 / 4 } ?? 0
            guard wShape.count == 2, uShape == [n, 4 * n], b.count == 4 * n, n == layer.units else {
                throw ForecastError.badModel("\(name): layer \(index) (\(layer.name)) weights have shapes \(wShape), "
                                             + "\(uShape) for \(layer.units) units")
            }
            if lstmWeights.isEmpty { inputDim = wShape[0] }
            units.append(n)
            lstmWeights.append((w, u, b))
        }
        let (dw, dwShape) = try h5.doubles("/layers/dense/vars/0")
        let (db, _) = try h5.doubles("/layers/dense/vars/1")
        guard dwShape == [units.last ?? -1, 1], db.count == 1 else {
            throw ForecastError.badModel("\(name): dense head has shape \(dwShape); expected [\(units.last ?? 0), 1]")
        }
        let shape = LSTMNetwork(inputDim: inputDim, units: units)
        var parameters = shape.parameters
        for (layout, weights) in zip(shape.layers, lstmWeights) {
            parameters.replaceSubrange(layout.w..<(layout.w + weights.w.count), with: weights.w)
            parameters.replaceSubrange(layout.u..<(layout.u + weights.u.count), with: weights.u)
            parameters.replaceSubrange(layout.b..<(layout.b + weights.b.count), with: weights.b)
        }
        parameters.replaceSubrange(shape.denseW..<(shape.denseW + dw.count), with: dw)
        parameters[shape.denseB] = db[0]
        return LSTMNetwork(inputDim: inputDim, units: units, parameters: parameters)
    }

    struct LayerConfig {
        var className: String
        var name: String
        var units: Int
    }

    /// The layers of a Sequential config, validated against what the native network computes.
    static func sequentialLayers(_ json: [UInt8], name: String) throws -> [LayerConfig] {
        guard let root = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let rootClass = root["class_name"] as? String,
              let config = root["config"] as? [String: Any], let layers = config["layers"] as? [[String: Any]] else {
            throw ForecastError.badModel("\(name): config.json is not a Keras model config")
        }
        guard rootClass == "Sequential" else {
            throw ForecastError.badModel("\(name): \(rootClass) models are not supported (Sequential only)")
        }
        var out: [LayerConfig] = []
        for (i, layer) in layers.enumerated() {
            let cls = layer["class_name"] as? String ?? "?"
            let c = layer["config"] as? [String: Any] ?? [:]
            let layerName = c["name"] as? String ?? "layer \(i)"
            func require(_ key: String, _ expected: String) throws {
                let value = c[key].map { "\($0)" } ?? "missing"
                guard value == expected else {
                    throw ForecastError.badModel("\(name): layer \(layerName): \(key) is \(value); only \(expected) is "
                                                 + "supported")
                }
            }
            switch cls {
            case "InputLayer":
                continue
            case "LSTM":
                try require("activation", "tanh")
                try require("recurrent_activation", "sigmoid")
                try require("use_bias", "1")
                try require("go_backwards", "0")
                try require("stateful", "0")
                out.append(LayerConfig(className: cls, name: layerName, units: c["units"] as? Int ?? 0))
            case "Dense":
                try require("activation", "linear")
                try require("use_bias", "1")
                try require("units", "1")
                out.append(LayerConfig(className: cls, name: layerName, units: 1))
            default:
                throw ForecastError.badModel("\(name): layer \(layerName): \(cls) layers are not supported "
                                             + "(LSTM and one final Dense(1))")
            }
        }
        let lstms = out.filter { $0.className == "LSTM" }
        guard !lstms.isEmpty, out.last?.className == "Dense", out.filter({ $0.className == "Dense" }).count == 1 else {
            throw ForecastError.badModel("\(name): expected LSTM layers followed by one Dense(1) layer")
        }
        for (i, layer) in layers.enumerated() where (layer["class_name"] as? String) == "LSTM" {
            let c = layer["config"] as? [String: Any] ?? [:]
            let returnsSequences = "\(c["return_sequences"] ?? false)" == "1"
            let isLast = !layers[(i + 1)...].contains { ($0["class_name"] as? String) == "LSTM" }
            guard returnsSequences != isLast else {
                throw ForecastError.badModel("\(name): layer \(c["name"] ?? i): return_sequences must be "
                                             + "\(!isLast) (every LSTM but the last returns sequences)")
            }
        }
        return out
    }
}
