import ArgumentParser
import Dispatch
import Forecast
import Logging
import TradingCore

/// LSTM speed on the issue's reference model: Input(24, 8) → LSTM(64) → Dense(1), 20,000 windows, batch 64, Adam.
/// `Benchmarks/forecast.sh` measures Keras (JAX, CPU) on the same shapes in the same run.
@main
struct ForecastBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ForecastBench")

    @Option var windows: Int = 20_000
    @Option var tsteps: Int = 24
    @Option var features: Int = 8
    @Option var units: Int = 64
    @Option(help: "Training epochs to time.") var epochs: Int = 1
    @Option(help: "Single-window predictions to time.") var singles: Int = 2_000

    func run() throws {
        var rng = SeededRandom(seed: 1)
        let data = (0..<windows).map { _ in (0..<(tsteps * features)).map { _ in rng.nextNormal() } }
        let targets = data.map { 0.01 * $0[$0.count - 1] }
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

        let settings = TrainingSettings(units: [units], epochs: epochs, batchSize: 64, learningRate: 0.001,
                                        validationFraction: 0.001, patience: 1_000, seed: 3)
        let t0 = now()
        let (net, _) = try LSTMTrainer(settings: settings, logger: Logger(label: "bench"))
            .train(windows: data, targets: targets, inputDim: features)
        let epochSeconds = (now() - t0) / Double(epochs)

        var sink = 0.0
        var singleTimes: [Double] = []
        for i in 0..<singles {
            let s = now()
            sink += net.predict(data[i % windows])
            singleTimes.append(now() - s)
        }
        singleTimes.sort()
        let flat = data.flatMap { $0 }
        let t1 = now()
        sink += net.predictions(windows: flat, tsteps: tsteps).reduce(0, +)
        let batchRate = Double(windows) / (now() - t1)
        print(#"{"bench":"trademesh_lstm","windows":\#(windows),"tsteps":\#(tsteps),"features":\#(features),"units":\#(units),"epoch_s":\#(epochSeconds),"single_window_us_p50":\#(singleTimes[singleTimes.count / 2] * 1e6),"batch_windows_per_s":\#(Int(batchRate)),"checksum_finite":\#(sink.isFinite)}"#)
    }
}
