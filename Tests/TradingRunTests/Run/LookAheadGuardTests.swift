import Foundation
import Logging
import Synchronization
import Testing
import TestSupport
@testable import TradingCore
@testable import TradingRun

/// The look-ahead guard of `BacktestRunner`: a `model:` whose training bars overlap the window is refused unless
/// `allow_in_sample`, before any prediction is made.
@Suite(.timeLimit(.minutes(1))) struct LookAheadGuardTests {
    static let data = TestSupport.packageRoot.path + "/data/sample/NVDA_1h.csv"

    /// A model trained on 2015-01-02T09:30 … 2021-12-29T14:30 of the sample file; its predictions are all zero.
    static func manifest() throws -> ModelManifest {
        var manifest = ModelManifest(path: "models/test", fileHashes: [], hyperparametersSHA256: "h")
        manifest.training = ModelManifest.Training(
            start: try #require(Timestamps.parse("2015-01-02T09:30:00")),
            end: try #require(Timestamps.parse("2021-12-29T14:30:00")),
            dataPath: data, dataSHA256: try FileBytes.sha256(data))
        return manifest
    }

    /// Counts the calls of the model provider (the predictions made).
    final class Calls: Sendable {
        let count = Mutex(0)
    }

    static func runner(predictions: Calls) throws -> BacktestRunner {
        let manifest = try manifest()
        return BacktestRunner(codeVersion: "test", logger: Logger(label: "test"),
                              modelProvider: { _, bars in
                                  predictions.count.withLock { $0 += 1 }
                                  return (bars.time.map { Prediction(time: $0, predictedPrice: 1, predictedReturn: 0) },
                                          manifest)
                              },
                              modelManifestProvider: { _ in manifest })
    }

    static func config(start: String, allow: Bool = false) throws -> BacktestConfig {
        try BacktestConfig.parse(yaml: "data: \(data)\nmodel: models/test\nstart: \(start)\nend: 2022-02-28\n"
            + (allow ? "allow_in_sample: true\n" : ""))
    }

    @Test func aWindowOverlappingTheTrainingBarsIsRefusedBeforePredicting() throws {
        let predictions = Calls()
        let runner = try Self.runner(predictions: predictions)
        let error = try #require(throws: ConfigError.self) { try runner.loadInputs(Self.config(start: "2021-12-29")) }
        #expect("\(error)".contains("the backtest window 2021-12-29T09:30:00 .. 2022-02-28T15:30:00 overlaps the "
            + "training bars of models/test (2015-01-02T09:30:00 .. 2021-12-29T14:30:00)"), "\(error)")
        #expect("\(error)".contains("--allow-in-sample"))
        #expect(predictions.count.withLock { $0 } == 0)
        #expect(throws: ConfigError.self) { try runner.loadInputs(Self.config(start: "2021-12-29"), predicting: false) }
    }

    @Test func aWindowAfterTheTrainingBarsOrAllowedRuns() throws {
        let predictions = Calls()
        let runner = try Self.runner(predictions: predictions)
        let after = try runner.loadInputs(Self.config(start: "2021-12-30"))
        #expect(after.bars.time.first == Timestamps.parse("2021-12-30T09:30:00"))
        let allowed = try runner.loadInputs(Self.config(start: "2021-06-01", allow: true))
        #expect(allowed.bars.time.first == Timestamps.parse("2021-06-01T09:30:00"))
        #expect(predictions.count.withLock { $0 } == 2)
        let config = try Self.config(start: "2021-06-01", allow: true)
        var j = JSONWriter()
        j.object { config.writeCanonical(into: &$0) }
        #expect(j.text.contains("\"allow_in_sample\": true"))
    }
}
