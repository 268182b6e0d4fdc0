import ArgumentParser
import Foundation
import TradingCore
import TradingRun

/// Times `BarCSVLoader.load` on one file: median of several repetitions, and bars per second.
@main
struct LoadBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "LoadBench",
        abstract: "Measure how long loading and validating a bars CSV file takes."
    )

    @Option(name: .long, help: "The bars CSV file to load.")
    var file: String = "/tmp/trademesh-bench/data/synth_1m.csv"

    @Option(name: .long, help: "Timed repetitions (one untimed warm-up run comes first).")
    var reps: Int = 5

    @Flag(name: .long, help: "Print only the median seconds (for scripts).")
    var quiet = false

    func run() throws {
        guard reps >= 1 else { throw ValidationError("--reps must be at least 1") }
        let warmUp = try BarCSVLoader.load(path: file, symbol: "BENCH")
        var seconds: [Double] = []
        for _ in 0..<reps {
            let clock = ContinuousClock()
            let start = clock.now
            let result = try BarCSVLoader.load(path: file, symbol: "BENCH")
            let elapsed = start.duration(to: clock.now)
            precondition(result.series.count == warmUp.series.count)
            seconds.append(elapsed.inSeconds)
        }
        seconds.sort()
        let median = seconds.count % 2 == 1
            ? seconds[seconds.count / 2]
            : (seconds[seconds.count / 2 - 1] + seconds[seconds.count / 2]) / 2
        if quiet {
            print(String(format: "%.6f", median))
            return
        }
        let bars = warmUp.series.count
        print("file: \(file)")
        print("bars: \(bars), bars/year inferred: \(String(format: "%.1f", warmUp.barsPerYear))")
        print("runs: " + seconds.map { String(format: "%.4f", $0) }.joined(separator: " ") + " s")
        print(String(format: "median load time: %.4f s, %.2f M bars/s", median, Double(bars) / median / 1e6))
    }
}
