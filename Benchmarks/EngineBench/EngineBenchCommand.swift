import ArgumentParser
import Dispatch
import Foundation
import Logging
import TradingCore

/// Engine benchmarks (release: `swift run -c release EngineBench …`; `Benchmarks/engine.sh` runs the peers too).
@main
struct EngineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "EngineBench",
        abstract: "Measure the in-process backtest engine and sweeps.",
        subcommands: [Engine.self, Sweep.self, WritePredictions.self],
        defaultSubcommand: Engine.self)
}

/// Predictions that encode SMA(10)/SMA(20) crosses: +1 at a cross up, −1 at a cross down, 0 otherwise.
func crossPredictions(_ close: [Double]) -> [Double] {
    var fast = RollingSMA(period: 10), slow = RollingSMA(period: 20)
    var out = [Double](repeating: 0, count: close.count)
    var previous: Double?
    for i in close.indices {
        let f = fast.update(close[i]), s = slow.update(close[i])
        if let f, let s {
            let diff = f - s
            if let p = previous {
                if p <= 0 && diff > 0 { out[i] = 1 } else if p >= 0 && diff < 0 { out[i] = -1 }
            }
            previous = diff
        }
    }
    return out
}

func nanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Engine throughput on a bars file, loading excluded: threshold strategy on SMA-cross predictions, stops on.
struct Engine: ParsableCommand {
    @Option var file: String = "/tmp/trademesh-bench/data/synth_1m.csv"
    @Option var reps: Int = 5

    func run() throws {
        let bars = try BarCSVLoader.load(path: file, symbol: "SYNTH").series
        let preds = crossPredictions(bars.close)
        let strategy = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, stopLoss: 0.02, takeProfit: 0.04,
                                        size: .units(10))
        let execution = ExecutionSettings(initialCapital: 10_000)
        var times: [Double] = []
        var trades = 0
        for _ in 0..<reps {
            let t0 = nanos()
            let r = try Backtest.run(bars: bars, predictedReturns: preds, strategy: strategy, execution: execution)
            times.append(Double(nanos() - t0) / 1e9)
            trades = r.trades.count
        }
        let median = times.sorted()[times.count / 2]
        print(#"{"bench":"trademesh_engine","bars":\#(bars.count),"reps":\#(reps),"run_s_median":\#(median),"bars_per_s_median":\#(Int(Double(bars.count) / median)),"trades":\#(trades)}"#)
    }
}

/// A sweep of a grid over a base config, loading included, on `jobs` threads.
struct Sweep: ParsableCommand {
    @Option var config: String = "config/backtest.yaml"
    @Option var grid: String = "config/grid.yaml"
    @Option var jobs: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option var reps: Int = 3

    func run() throws {
        let base = String(decoding: try FileBytes.read(config), as: UTF8.self)
        let g = try ParameterGrid.parse(yaml: String(decoding: try FileBytes.read(grid), as: UTF8.self), file: grid)
        let runner = SweepRunner(codeVersion: "bench", logger: Logger(label: "bench"))
        var times: [Double] = []
        for _ in 0..<reps {
            let t0 = nanos()
            let out = try runner.run(baseYAML: base, baseFile: config, grid: g, jobs: jobs)
            times.append(Double(nanos() - t0) / 1e9)
            precondition(out.sets == g.count)
        }
        let median = times.sorted()[times.count / 2]
        print(#"{"bench":"trademesh_sweep","sets":\#(g.count),"jobs":\#(jobs),"reps":\#(reps),"run_s_median":\#(median),"sets_per_s":\#(Int(Double(g.count) / median))}"#)
    }
}

/// Writes the SMA-cross predictions of a bars file in the cached-predictions format (for whole-run benchmarks).
struct WritePredictions: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "write-predictions")
    @Option var file: String
    @Option var out: String

    func run() throws {
        let bars = try BarCSVLoader.load(path: file, symbol: "SYNTH").series
        let preds = crossPredictions(bars.close)
        var text = "Time,predicted_price,predicted_return\n"
        text.reserveCapacity(bars.count * 40)
        for i in 0..<bars.count {
            text += Timestamps.iso8601(bars.time[i]) + "," + JSONWriter.number(bars.close[i] * (1 + preds[i])) + ","
                + JSONWriter.number(preds[i]) + "\n"
        }
        try FileBytes.write(text, to: out)
    }
}
