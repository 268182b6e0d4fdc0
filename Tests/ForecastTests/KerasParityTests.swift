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

    /// Each fixture model and the LSTM layers it must come out with: Sequential (`lstm1`, `lstm2`), functional
    /// (`keras.Model(inputs, outputs)`), functional with Dropout, and Sequential with an InputLayer and Dropout.
    static let models: [(String, [Int])] = [
        ("lstm1", [6]), ("lstm2", [5, 4]), ("functional", [6]), ("functional_dropout", [5, 4]),
        ("sequential_dropout", [6, 3]),
    ]

    @Test(arguments: models)
    func outputsMatchKeras(model: String, units: [Int]) throws {
        let net = try KerasImporter.load(path: "\(Self.fixtures)/\(model).keras")
        let data = try JSONDecoder().decode(Fixture.self, from: Data(
            contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/\(model).json")))
        #expect(net.inputDim == 3)
        #expect(net.units == units)
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
        #expect(throws: ForecastError.self) { try KerasImporter.layers(Array(gru.utf8), name: "m") }
        do {
            _ = try KerasImporter.layers(Array(gru.utf8), name: "m")
        } catch {
            #expect("\(error)".contains("layer gru: GRU layers are not supported"))
        }
        let relu = #"{"class_name":"Sequential","config":{"layers":[{"class_name":"LSTM","config":{"name":"l","activation":"relu","recurrent_activation":"sigmoid","use_bias":true,"go_backwards":false,"stateful":false,"units":2}},{"class_name":"Dense","config":{"name":"d","activation":"linear","use_bias":true,"units":1}}]}}"#
        do {
            _ = try KerasImporter.layers(Array(relu.utf8), name: "m")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("layer l: activation is relu; only tanh is supported"))
        }
    }

    /// A functional config as Keras writes it: `layers` with their inbound nodes.
    static func functional(_ layers: [(cls: String, name: String, from: [String], extra: String)],
                           output: String) -> [UInt8] {
        let items = layers.map { l -> String in
            let args = l.from.map { #"{"class_name":"__keras_tensor__","config":{"keras_history":[""# + $0 + #"",0,0]}}"# }
            let nodes = l.cls == "InputLayer" ? "[]" : #"[{"args":["# + args.joined(separator: ",") + #"],"kwargs":{}}]"#
            return #"{"class_name":""# + l.cls + #"","name":""# + l.name + #"","config":{"name":""# + l.name + "\""
                + l.extra + #"},"inbound_nodes":"# + nodes + "}"
        }
        return Array((#"{"class_name":"Functional","config":{"layers":["# + items.joined(separator: ",")
            + #"],"output_layers":[[""# + output + #"",0,0]]}}"#).utf8)
    }

    static let lstm = #","activation":"tanh","recurrent_activation":"sigmoid","use_bias":true,"go_backwards":false,"stateful":false,"units":2,"return_sequences":false"#
    static let dense = #","activation":"linear","use_bias":true,"units":1"#

    @Test func functionalModelsThatAreNotAChainAreRefusedNamingTheLayer() throws {
        // A skip connection: the input feeds both the LSTM and the concatenation.
        let branching = Self.functional([
            ("InputLayer", "in", [], ""), ("LSTM", "l", ["in"], Self.lstm), ("Concatenate", "cat", ["in", "l"], ""),
            ("Dense", "d", ["cat"], Self.dense),
        ], output: "d")
        do {
            _ = try KerasImporter.layers(branching, name: "m")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("layer cat takes 2 inputs"))
        }
        let twoHeads = Self.functional([
            ("InputLayer", "in", [], ""), ("LSTM", "l", ["in"], Self.lstm), ("Dense", "d1", ["l"], Self.dense),
            ("Dense", "d2", ["l"], Self.dense),
        ], output: "d1")
        do {
            _ = try KerasImporter.layers(twoHeads, name: "m")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("layer l feeds both d1 and d2"))
        }
        // Layers listed out of order still form a chain and are read in data-flow order.
        let shuffled = Self.functional([
            ("Dense", "d", ["l"], Self.dense), ("InputLayer", "in", [], ""), ("LSTM", "l", ["in"], Self.lstm),
        ], output: "d")
        #expect(try KerasImporter.layers(shuffled, name: "m").map(\.name) == ["l", "d"])
    }
}
