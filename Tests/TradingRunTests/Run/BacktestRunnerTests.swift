import Foundation
import Logging
import Testing
import TestSupport
@testable import TradingCore
@testable import TradingRun

/// End to end on the bundled sample data: run, rerun byte for byte, and a changed input detected.
@Suite struct BacktestRunnerTests {
    static let root = TestSupport.packageRoot.path

    static func tempDir() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trademesh-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func config(data: String, predictions: String) throws -> BacktestConfig {
        try BacktestConfig.parse(yaml: """
            data: \(data)
            predictions: \(predictions)
            start: 2020-01-01
            end: 2021-12-31
            strategy: {entry_threshold: 0.01, exit_threshold: 0, stop_loss: 0.03, take_profit: 0.06, size: {fraction: 0.9}}
            costs: {per_trade: 1, slippage_bps: 5}
            risk: {daily_loss_cap: 0.03}
            """)
    }

    @Test(.timeLimit(.minutes(1))) func rerunReproducesEveryByte() throws {
        let runner = BacktestRunner(codeVersion: "test", logger: Logger(label: "test"))
        let c = try Self.config(data: Self.root + "/data/sample/NVDA_1h.csv",
                                predictions: Self.root + "/data/sample/NVDA_1h_predictions.csv")
        let a = Self.tempDir(), b = Self.tempDir()
        let first = try runner.run(c, outDirectory: a)
        #expect(first.metrics.numTrades > 50)
        #expect(first.inputs.bars.time.first == Timestamps.parse("2020-01-02T09:30:00"))
        #expect(first.inputs.bars.time.last == Timestamps.parse("2021-12-31T15:30:00"))
        let manifest = try String(contentsOfFile: a + "/run.json", encoding: .utf8)
        #expect(manifest.contains("\"run_id\": \"\(first.runID)\""))
        #expect(manifest.contains("\"code_version\": \"test\""))
        #expect(manifest.contains("\n  \"config\": {\n    \"data\": "))
        #expect(manifest.contains("\"seeds\": {}"))
        #expect(manifest.contains("\"outputs\": [\"trades.csv\", \"equity.csv\", \"metrics.json\"]"))
        _ = try runner.rerun(manifestPath: a + "/run.json", outDirectory: b)
        for file in ["trades.csv", "equity.csv", "metrics.json", "run.json"] {
            let x = try FileBytes.read(a + "/" + file), y = try FileBytes.read(b + "/" + file)
            #expect(x == y, "\(file) differs")
            #expect(!x.isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1))) func rerunRejectsAChangedInput() throws {
        let dir = Self.tempDir()
        let bars = dir + "/bars.csv", preds = dir + "/preds.csv"
        try FileManager.default.copyItem(atPath: Self.root + "/data/sample/NVDA_1h.csv", toPath: bars)
        try FileManager.default.copyItem(atPath: Self.root + "/data/sample/NVDA_1h_predictions.csv", toPath: preds)
        let runner = BacktestRunner(codeVersion: "test", logger: Logger(label: "test"))
        _ = try runner.run(try Self.config(data: bars, predictions: preds), outDirectory: dir + "/a")
        var text = try String(contentsOfFile: preds, encoding: .utf8)
        text = text.replacingOccurrences(of: "2021-06-01T10:30:00,", with: "2021-06-01T10:30:00,1")
        try text.write(toFile: preds, atomically: true, encoding: .utf8)
        do {
            _ = try runner.rerun(manifestPath: dir + "/a/run.json", outDirectory: dir + "/b")
            Issue.record("expected a changed-file error")
        } catch {
            #expect("\(error)".contains("preds.csv: file changed since the run"))
        }
    }
}
