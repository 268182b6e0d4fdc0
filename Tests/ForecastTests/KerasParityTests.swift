import Foundation
import Testing
import TestSupport
@testable import Forecast

/// Models built, trained and saved by real Keras (scripts/keras/make_fixture.py) give the same outputs here.
@Suite struct KerasParityTests {
    static let fixtures = TestSupport.packageRoot.appendingPathComponent("Tests/Fixtures/keras").path

    struct Fixture: Decodable {
        var windows: [[[Double]]]
        var outputs: [Double]
    }

    @Test(arguments: ["lstm1", "lstm2"])
    func outputsMatchKeras(model: String) throws {
        let net = try KerasImporter.load(path: "\(Self.fixtures)/\(model).keras")
        let data = try JSONDecoder().decode(Fixture.self, from: Data(
            contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/\(model).json")))
        #expect(net.inputDim == 3)
        #expect(net.units == (model == "lstm1" ? [6] : [5, 4]))
        var worst = 0.0
        for (window, expected) in zip(data.windows, data.outputs) {
            worst = max(worst, abs(net.predict(window.flatMap { $0 }) - expected))
        }
        #expect(data.outputs.count == 16)
        #expect(worst <= 1e-5, "max abs error \(worst)")
    }

    @Test func damagedAndUnsupportedFilesAreClearErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keras-bad-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: dir + "/junk.keras"))
        do {
            _ = try KerasImporter.load(path: dir + "/junk.keras")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("junk.keras: not a zip archive"))
        }
        let gru = #"{"class_name":"Sequential","config":{"layers":[{"class_name":"GRU","config":{"name":"gru"}}]}}"#
        #expect(throws: ForecastError.self) { try KerasImporter.sequentialLayers(Array(gru.utf8), name: "m") }
        do {
            _ = try KerasImporter.sequentialLayers(Array(gru.utf8), name: "m")
        } catch {
            #expect("\(error)".contains("layer gru: GRU layers are not supported"))
        }
        let relu = #"{"class_name":"Sequential","config":{"layers":[{"class_name":"LSTM","config":{"name":"l","activation":"relu","recurrent_activation":"sigmoid","use_bias":true,"go_backwards":false,"stateful":false,"units":2}},{"class_name":"Dense","config":{"name":"d","activation":"linear","use_bias":true,"units":1}}]}}"#
        do {
            _ = try KerasImporter.sequentialLayers(Array(relu.utf8), name: "m")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("layer l: activation is relu; only tanh is supported"))
        }
    }
}
