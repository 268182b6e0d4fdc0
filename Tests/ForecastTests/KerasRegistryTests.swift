import Foundation
import Testing
import TradingCore
@testable import Forecast

/// A Keras model goes into the registry and runs like a native one.
@Suite struct KerasRegistryTests {
    @Test func importedKerasModelPredictsFromTheRegistry() throws {
        let network = try KerasImporter.load(path: KerasParityTests.fixtures + "/lstm1.keras")
        var h = try ModelHyperparameters.parse("features: [log_return, rsi_14, volume_z_20]\ntsteps: 8\n", file: "h")
        h.training.units = network.units
        let bars = try FeaturePipelineTests.sample(600)
        var entry = try ModelRegistryEntry.imported(network: network, hyperparameters: h, scaler: nil, bars: bars,
                                                    dataPath: "sample", dataSHA256: "x", modelID: "keras-lstm1")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keras-\(UUID().uuidString)").path
        try entry.write(to: dir)
        let loaded = try ModelRegistryEntry.load(directory: dir)
        #expect(loaded.network == network)
        let predictions = ForecastPipeline.predict(loaded, bars: bars)
        #expect(predictions.count == 600 - 19 - 7)   // volume_z_20 is defined from row 19, then 8-bar windows
        #expect(predictions.allSatisfy { $0.predictedReturn.isFinite })
    }

    @Test func featureCountMustMatchTheModelInputs() throws {
        let network = try KerasImporter.load(path: KerasParityTests.fixtures + "/lstm1.keras")
        var h = try ModelHyperparameters.parse("features: [log_return, rsi_14]\ntsteps: 8\n", file: "h")
        h.training.units = network.units
        do {
            _ = try ModelRegistryEntry.imported(network: network, hyperparameters: h, scaler: nil,
                                                bars: try FeaturePipelineTests.sample(300), dataPath: "s",
                                                dataSHA256: "x", modelID: "m")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("the model takes 3 inputs per step but the features give 2 columns"))
        }
    }
}
