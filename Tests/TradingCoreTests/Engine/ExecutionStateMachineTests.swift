import Testing
@testable import TradingCore

/// Driving the execution state machine one bar at a time — as an execution service does from the bus — gives
/// exactly what the in-process engine gives.
@Suite struct ExecutionStateMachineTests {
    @Test(arguments: 0..<3)
    func barByBarEqualsTheEngine(set: Int) throws {
        let (bars, preds) = EngineInvariantTests.randomInputs(count: 2_500, seed: 101 + UInt64(set))
        let (settings, execution) = EngineInvariantTests.parameterSets[set]
        let engine = try Backtest.run(bars: bars, predictedReturns: preds, strategy: settings, execution: execution)

        var machine = ExecutionStateMachine(settings: settings, execution: execution)
        var strategy = ThresholdStrategy(settings: settings)
        var sma = RollingSMA(period: settings.smaPeriod)
        var equity: [Double] = []
        var position: [Double] = []
        for t in 0..<bars.count {
            machine.barOpened(time: bars.time[t], open: bars.open[t], high: bars.high[t], low: bars.low[t])
            equity.append(machine.barClosed(time: bars.time[t], close: bars.close[t], isLast: t == bars.count - 1))
            position.append(machine.units)
            guard t < bars.count - 1 else { break }
            let smaValue = sma.update(bars.close[t])
            var signal = bars.time.withUnsafeBufferPointer { time in
                bars.open.withUnsafeBufferPointer { open in
                    bars.high.withUnsafeBufferPointer { high in
                        bars.low.withUnsafeBufferPointer { low in
                            bars.close.withUnsafeBufferPointer { close in
                                bars.volume.withUnsafeBufferPointer { volume in
                                    strategy.decide(StrategyState(
                                        index: t, predictedReturn: preds[t].isNaN ? nil : preds[t],
                                        position: machine.direction, indicators: Indicators(sma: smaValue),
                                        time: time, open: open, high: high, low: low, close: close, volume: volume))
                                }
                            }
                        }
                    }
                }
            }
            if settings.name == "sma_filter" {
                // The SMA filter on top of the threshold target, as SMAFilterStrategy applies it.
                if let s = smaValue {
                    if signal.direction == .long && bars.close[t] <= s { signal.direction = .flat }
                    if signal.direction == .short && bars.close[t] >= s { signal.direction = .flat }
                } else {
                    signal.direction = .flat
                }
            }
            machine.decide(signal)
        }
        #expect(machine.trades == engine.trades)
        #expect(equity == engine.equity.equity)
        #expect(position == engine.equity.position)
        #expect(machine.rejectedOrders == engine.rejectedOrders)
        #expect(machine.dailyCapHits == engine.dailyCapHits)
        #expect(machine.openPosition(mark: bars.close[bars.count - 1]) == engine.openPosition)
    }
}
