import ArgumentParser
import Foundation
import TradingCore
import TradingRun

/// `Backtester generate-sample`: writes the synthetic sample data (`NVDA_1h.csv`, `NVDA_1h_predictions.csv`).
struct GenerateSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-sample",
        abstract: "Write the synthetic NVDA-like hourly sample bars and cached predictions.",
        discussion: """
            The same seed always gives byte-identical files; with the defaults this reproduces data/sample/. \
            The data is synthetic: see data/sample/README.md and docs/data.md.
            """
    )

    @Option(name: .long, help: "Directory to write NVDA_1h.csv and NVDA_1h_predictions.csv into.")
    var out: String = "data/sample"

    @Option(name: .long, help: "Seed of the generator.")
    var seed: UInt64 = 42

    func run() throws {
        let sample = SampleDataGenerator(seed: seed).generate()
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let barsURL = directory.appendingPathComponent("NVDA_1h.csv")
        let predictionsURL = directory.appendingPathComponent("NVDA_1h_predictions.csv")
        try Data(sample.barsCSV().utf8).write(to: barsURL)
        try Data(sample.predictionsCSV().utf8).write(to: predictionsURL)
        print("wrote \(barsURL.path) (\(sample.bars.count) bars) and \(predictionsURL.path) "
              + "(\(sample.predictions.count) predictions)")
    }
}
