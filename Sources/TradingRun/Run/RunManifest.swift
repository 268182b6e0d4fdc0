import TradingCore
import Yams

/// The manifest written as `run.json` beside a run's results: everything needed to reproduce it.
public struct RunManifest: Sendable {
    public static let schemaVersion = 1
    /// The result files written beside the manifest.
    public static let outputFiles = ["trades.csv", "equity.csv", "metrics.json"]
    public var codeVersion: String
    public var config: BacktestConfig
    public var dataSHA256: String
    public var predictionsSHA256: String?
    public var model: ModelManifest?

    public init(codeVersion: String, config: BacktestConfig, dataSHA256: String, predictionsSHA256: String?,
                model: ModelManifest? = nil) {
        self.codeVersion = codeVersion
        self.config = config
        self.dataSHA256 = dataSHA256
        self.predictionsSHA256 = predictionsSHA256
        self.model = model
    }

    /// A stable identifier: the first 12 hex digits of SHA-256 over the resolved config and the input hashes.
    public var runID: String {
        let modelHashes = model.map { $0.fileHashes.map(\.1).joined() } ?? ""
        return String(SHA256.hex(of: Array((config.canonicalJSON + dataSHA256 + (predictionsSHA256 ?? "") + modelHashes)
            .utf8)).prefix(12))
    }

    public var json: String {
        var j = JSONWriter()
        j.object { j in
            j.field("schema_version", Self.schemaVersion)
            j.field("run_id", runID)
            j.field("code_version", codeVersion)
            j.objectField("data") { j in
                j.field("path", config.data)
                j.field("sha256", dataSHA256)
            }
            if let p = config.predictions {
                j.objectField("predictions") { j in
                    j.field("path", p)
                    j.field("sha256", predictionsSHA256)
                }
            } else {
                j.rawField("predictions", "null")
            }
            if let m = model {
                j.objectField("model") { m.write(into: &$0) }
            } else {
                j.rawField("model", "null")
            }
            j.objectField("config") { config.writeCanonical(into: &$0) }
            j.rawField("seeds", "{}")          // nothing random runs yet; recorded explicitly
            j.rawField("outputs", "[" + Self.outputFiles.map(JSONWriter.quote).joined(separator: ", ") + "]")
        }
        return j.text + "\n"
    }

    /// Reads a manifest written by `json`.
    public static func parse(_ text: String, file: String) throws -> RunManifest {
        guard let root = try? Yams.compose(yaml: text), let top = root.mapping else {
            throw ConfigError.unreadable(file, "not a run manifest (expected a JSON object)")
        }
        guard let configNode = top["config"], let configText = try? Yams.serialize(node: configNode) else {
            throw ConfigError.missing("config")
        }
        let config = try BacktestConfig.parse(yaml: configText, file: file + " (config)")
        guard let data = top["data"]?.mapping?["sha256"]?.string else { throw ConfigError.missing("data.sha256") }
        let predictions = top["predictions"]?.mapping?["sha256"]?.string
        var model: ModelManifest?
        if let m = top["model"]?.mapping, let path = m["path"]?.string {
            let hashes = (m["sha256"]?.mapping ?? [:]).compactMap { k, v in k.string.flatMap { n in v.string.map { (n, $0) } } }
            model = ModelManifest(path: path, fileHashes: hashes,
                                  hyperparametersSHA256: m["hyperparameters_sha256"]?.string ?? "")
        }
        return RunManifest(codeVersion: top["code_version"]?.string ?? "", config: config, dataSHA256: data,
                           predictionsSHA256: predictions, model: model)
    }
}
