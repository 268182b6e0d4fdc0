import Foundation

/// Reads a Keras 3 model — a `.keras` archive (zip of `config.json` and `model.weights.h5`), or a `.weights.h5`
/// file with its `config.json` — into an `LSTMNetwork`. Supported: Sequential models, and functional models
/// (`keras.Model(inputs, outputs)`) whose graph is a chain from one input to one output, made of LSTM layers (tanh,
/// sigmoid recurrent activation, bias, every layer but the last returning sequences), `Dropout` layers anywhere
/// (inactive at inference, so skipped), an optional `InputLayer` and one `Dense(1)` linear head. Anything else is
/// an error naming the layer and option.
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
        let layers = try layers(configJSON, name: name)
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

    /// The layers of a Sequential or linear functional config, in the order data flows through them, validated
    /// against what the native network computes.
    static func layers(_ json: [UInt8], name: String) throws -> [LayerConfig] {
        guard let root = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
              let rootClass = root["class_name"] as? String,
              let config = root["config"] as? [String: Any], let listed = config["layers"] as? [[String: Any]] else {
            throw ForecastError.badModel("\(name): config.json is not a Keras model config")
        }
        let layers: [[String: Any]]
        switch rootClass {
        case "Sequential": layers = listed
        case "Functional", "Model": layers = try chain(listed, config: config, name: name)
        default:
            throw ForecastError.badModel("\(name): \(rootClass) models are not supported (Sequential, or a "
                                         + "functional model whose layers form one chain)")
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
            case "InputLayer", "Dropout":
                continue   // Dropout is the identity at inference
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
                                             + "(LSTM, Dropout and one final Dense(1))")
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

    /// The layers of a functional model in data-flow order, provided they form one chain: one input, every other
    /// layer called once on the output of the one before, and the last one the model's output.
    static func chain(_ layers: [[String: Any]], config: [String: Any], name: String) throws -> [[String: Any]] {
        func layerName(_ layer: [String: Any]) -> String {
            (layer["config"] as? [String: Any])?["name"] as? String ?? (layer["name"] as? String ?? "?")
        }
        func refused(_ why: String) -> ForecastError {
            ForecastError.badModel("\(name): \(why); only functional models whose layers form one chain "
                                   + "(Input → LSTM … → Dense) are supported")
        }
        var byName: [String: [String: Any]] = [:]
        var next: [String: String] = [:]   // a layer's name → the one layer that consumes it
        var inputs: [String] = []
        for layer in layers {
            let n = layerName(layer)
            byName[n] = layer
            let nodes = layer["inbound_nodes"] as? [[String: Any]] ?? []
            if (layer["class_name"] as? String) == "InputLayer" {
                inputs.append(n)
                continue
            }
            guard nodes.count == 1 else {
                throw refused("layer \(n) is called \(nodes.count) times")
            }
            let tensors = (nodes[0]["args"] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
                .filter { ($0["class_name"] as? String) == "__keras_tensor__" }
            guard tensors.count == 1, let history = (tensors[0]["config"] as? [String: Any])?["keras_history"]
                as? [Any], let source = history.first as? String else {
                throw refused("layer \(n) takes \(tensors.count) inputs")
            }
            guard next[source] == nil else {
                throw refused("layer \(source) feeds both \(next[source]!) and \(n)")
            }
            next[source] = n
        }
        guard inputs.count == 1, let input = inputs.first else {
            throw refused("the model has \(inputs.count) inputs")
        }
        var ordered: [[String: Any]] = []
        var current: String? = input
        while let n = current, let layer = byName[n] {
            ordered.append(layer)
            current = next[n]
        }
        let outputs = (config["output_layers"] as? [Any]) ?? []
        let outputName = (outputs.first as? [Any])?.first as? String ?? (outputs.first as? String)
        guard ordered.count == layers.count, outputName == layerName(ordered.last ?? [:]) else {
            throw refused("its layers do not form one chain from the input to the output")
        }
        return ordered
    }
}
