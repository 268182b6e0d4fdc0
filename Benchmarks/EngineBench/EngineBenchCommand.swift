import ArgumentParser
import Dispatch
import Foundation
import Logging
import TradingCore
import TradingRun

/// Engine benchmarks (release: `swift run -c release EngineBench …`; `Benchmarks/engine.sh` runs the peers too).
@main
struct EngineBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "EngineBench",
        abstract: "Measure the in-process backtest engine and sweeps.",
        subcommands: [Engine.self, Stream.self, Sweep.self, WritePredictions.self],
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

/// The benchmarked run: the bars of `file` with their SMA-cross predictions, the threshold strategy with stops and
/// targets on and a fixed size, and $10,000 of capital.
func benchRun(file: String) throws
    -> (bars: BarSeries, predictions: [Double], strategy: StrategySettings, execution: ExecutionSettings) {
    let bars = try BarCSVLoader.load(path: file, symbol: "SYNTH").series
    let strategy = StrategySettings(entryThreshold: 0.5, exitThreshold: -0.5, stopLoss: 0.02, takeProfit: 0.04,
                                    size: .units(10))
    return (bars, crossPredictions(bars.close), strategy, ExecutionSettings(initialCapital: 10_000))
}

func nanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Engine throughput on a bars file, loading excluded: threshold strategy on SMA-cross predictions, stops on.
struct Engine: ParsableCommand {
    @Option var file: String = "/tmp/trademesh-bench/data/synth_1m.csv"
    @Option var reps: Int = 5

    func run() throws {
        let (bars, preds, strategy, execution) = try benchRun(file: file)
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

/// The execution service's per-bar path on a bars file: `ExecutionStream.execute` then `apply`, bar by bar, with the
/// threshold strategy's plans on SMA-cross predictions (stops and targets on, so orders happen). The plans are made
/// by `StrategyStream` before timing; only the execution stream is timed. Prints nanoseconds per bar and what the
/// run did (orders, fills, final equity), so runs before and after a change can be compared.
struct Stream: ParsableCommand {
    @Option var file: String = "/tmp/trademesh-bench/data/synth_1m.csv"
    @Option var reps: Int = 5
    @Flag(help: "Predict 0 on every bar: the strategy never trades, so no bar places an order.")
    var withoutOrders = false

    func run() throws {
        let (bars, crossing, strategy, execution) = try benchRun(file: file)
        let preds = withoutOrders ? [Double](repeating: 0, count: bars.count) : crossing
        var decide = try StrategyStream(settings: strategy, symbol: bars.symbol)
        var plans: [SignalPlan] = []
        plans.reserveCapacity(bars.count)
        var barList: [Bar] = []
        barList.reserveCapacity(bars.count)
        for t in 0..<bars.count {
            let bar = bars[t]
            barList.append(bar)
            plans.append(decide.append(bar, predictedReturn: preds[t].isNaN ? nil : preds[t]))
        }
        var times: [Double] = []
        var orders = 0, fills = 0, trades = 0
        var finalEquity = 0.0
        for _ in 0..<reps {
            var stream = ExecutionStream(symbol: bars.symbol, settings: strategy, execution: execution)
            orders = 0
            fills = 0
            let t0 = nanos()
            for t in barList.indices {
                fills += stream.execute(barList[t], sequence: UInt64(t + 1)).count
                orders += stream.orders.count
                stream.apply(plans[t])
            }
            times.append(Double(nanos() - t0))
            let result = stream.finish(sequence: UInt64(barList.count)).result
            trades = result.trades.count
            finalEquity = result.equity.equity.last ?? .nan
        }
        let digest = Self.digest(bars: barList, plans: plans, strategy: strategy, execution: execution)
        let median = times.sorted()[times.count / 2]
        let perBar = median / Double(max(barList.count, 1))
        print(#"{"bench":"trademesh_execution_stream","bars":\#(barList.count),"reps":\#(reps),"ns_per_bar_median":\#(String(format: "%.1f", perBar)),"orders":\#(orders),"fills":\#(fills),"trades":\#(trades),"final_equity":\#(finalEquity),"digest":"\#(String(digest, radix: 16))"}"#)
    }

    /// FNV-1a over everything the stream reports per bar (orders, fills, equity, cash, position) and the result:
    /// equal digests mean the same outputs, bit for bit.
    static func digest(bars: [Bar], plans: [SignalPlan], strategy: StrategySettings,
                       execution: ExecutionSettings) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) { for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 } }
        func mix(_ value: Double) { mix(String(value.bitPattern)) }
        var stream = ExecutionStream(symbol: "SYNTH", settings: strategy, execution: execution)
        for t in bars.indices {
            for fill in stream.execute(bars[t], sequence: UInt64(t + 1)) {
                mix(fill.clientOrderID + fill.symbol + "\(fill.side)\(fill.reason)")
                mix(fill.quantity); mix(fill.price); mix(fill.cost)
            }
            for order in stream.orders {
                mix(order.clientOrderID + order.symbol + "\(order.side)\(order.type)")
                mix(order.quantity); mix(order.price ?? -1)
            }
            mix(stream.snapshot.equity); mix(stream.snapshot.cash); mix(stream.snapshot.position)
            mix(stream.venue.broker.account.equity); mix(stream.venue.broker.account.cash)
            stream.apply(plans[t])
        }
        let (result, fills) = stream.finish(sequence: UInt64(bars.count))
        for fill in fills { mix(fill.clientOrderID); mix(fill.price) }
        for trade in result.trades { mix(trade.pnl); mix(trade.exitPrice); mix("\(trade.exitReason)") }
        mix(stream.venue.broker.account.equity)
        return hash
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
