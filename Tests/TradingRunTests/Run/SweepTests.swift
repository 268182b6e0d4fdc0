import Foundation
import Logging
import Testing
@testable import TradingCore
@testable import TradingRun

@Suite struct SweepTests {
    static let base = """
        data: \(BacktestRunnerTests.root)/data/sample/NVDA_1h.csv
        predictions: \(BacktestRunnerTests.root)/data/sample/NVDA_1h_predictions.csv
        start: 2022-01-01
        strategy: {entry_threshold: 0.01, exit_threshold: 0, stop_loss: 0.03, size: {fraction: 0.9}}
        costs: {per_trade: 1, slippage_bps: 5}
        """
    static let grid = """
        strategy.entry_threshold: [0.005, 0.01, 0.015]
        strategy.stop_loss: [0.02, 0.04]
        costs.slippage_bps: [0, 10]
        """

    @Test func gridOrderLastKeyFastest() throws {
        let g = try ParameterGrid.parse(yaml: Self.grid, file: "grid.yaml")
        #expect(g.count == 12)
        #expect(g.values(at: 0) == ["0.005", "0.02", "0"])
        #expect(g.values(at: 1) == ["0.005", "0.02", "10"])
        #expect(g.values(at: 2) == ["0.005", "0.04", "0"])
        #expect(g.values(at: 11) == ["0.015", "0.04", "10"])
        #expect(g.shardRange(index: 0, of: 5) == 0..<2)
        #expect(g.shardRange(index: 4, of: 5) == 9..<12)
    }

    @Test func csvFieldsAndSweepManifest() throws {
        #expect(SweepRunner.csvField("0.01") == "0.01")
        #expect(SweepRunner.csvField("a,b") == "\"a,b\"")
        #expect(SweepRunner.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        let g = try ParameterGrid.parse(yaml: Self.grid, file: "grid.yaml")
        let manifest = SweepManifest(codeVersion: "v", baseConfig: try BacktestConfig.parse(yaml: Self.base),
                                     grid: g, dataSHA256: "d", predictionsSHA256: nil)
        #expect(try SweepManifest.totalSets(inJSON: manifest.json, file: "sweep.json") == 12)
        #expect(manifest.json.contains("\n  \"base_config\": {\n    \"data\": "))
        #expect(throws: ConfigError.self) { try SweepManifest.totalSets(inJSON: "{}", file: "sweep.json") }
    }

    @Test func gridRejectsInputKeysAndBadValues() throws {
        #expect(throws: ConfigError.self) { try ParameterGrid.parse(yaml: "data: [a.csv, b.csv]", file: "g") }
        #expect(throws: ConfigError.self) { try ParameterGrid.parse(yaml: "strategy.stop_loss: 0.1", file: "g") }
        let g = try ParameterGrid.parse(yaml: "strategy.stop_loss: [0.01, abc]", file: "g")
        let runner = SweepRunner(codeVersion: "test", logger: Logger(label: "test"))
        do {
            _ = try runner.run(baseYAML: Self.base, baseFile: "base", grid: g, jobs: 2)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("parameter set 1"))
            #expect("\(error)".contains("strategy.stop_loss: expected a number, got 'abc'"))
        }
    }

    @Test(.timeLimit(.minutes(1))) func sameBytesWhateverJobsAndShards() throws {
        let g = try ParameterGrid.parse(yaml: Self.grid, file: "grid.yaml")
        let runner = SweepRunner(codeVersion: "test", logger: Logger(label: "test"))
        let one = try runner.run(baseYAML: Self.base, baseFile: "base", grid: g, jobs: 1)
        let two = try runner.run(baseYAML: Self.base, baseFile: "base", grid: g, jobs: 3)
        #expect(one.csv == two.csv)
        #expect(one.csv.split(separator: "\n").count == 13)
        let shards = try (0..<4).map { i in
            try runner.run(baseYAML: Self.base, baseFile: "base", grid: g, range: g.shardRange(index: i, of: 4), jobs: 2)
        }
        let merged = try SweepRunner.merge(shards.reversed().enumerated().map { ("s\($0.offset)", $0.element.csv) },
                                           totalSets: g.count)
        #expect(merged == one.csv)
        #expect(throws: ConfigError.self) {
            try SweepRunner.merge(shards.dropLast().map { ("s", $0.csv) }, totalSets: g.count)
        }
    }

    @Test(.timeLimit(.minutes(1))) func sweepRowMatchesASingleRun() throws {
        let g = try ParameterGrid.parse(yaml: Self.grid, file: "grid.yaml")
        let sweep = try SweepRunner(codeVersion: "test", logger: Logger(label: "test"))
            .run(baseYAML: Self.base, baseFile: "base", grid: g, jobs: 2)
        let config = try BacktestConfig.parse(yaml: Self.base, overrides: [
            "strategy.entry_threshold=0.01", "strategy.stop_loss=0.04", "costs.slippage_bps=10",
        ])
        let runner = BacktestRunner(codeVersion: "test", logger: Logger(label: "test"))
        let inputs = try runner.loadInputs(config)
        let r = try Backtest.run(bars: inputs.bars, predictedReturns: inputs.predictedReturns,
                                 strategy: config.strategy, execution: config.execution)
        let lines = sweep.csv.split(separator: "\n")
        #expect(lines[0] == "index,strategy.entry_threshold,strategy.stop_loss,costs.slippage_bps,final_equity,"
            + "total_return,cagr,sharpe,sortino,max_drawdown,max_drawdown_duration_bars,num_trades,win_rate,"
            + "profit_factor,avg_trade_return,exposure,rejected_orders,daily_cap_hits")
        // Index 7 = (0.01, 0.04, 10): the row as written, and the same numbers as the single run's metrics.
        #expect(lines[8] == "7,0.01,0.04,10,84581.88380574324,-0.1541811619425676,-0.05445284594755595,"
            + "-0.1477603747839847,-0.21479492855083132,0.4469056002418107,3671,812,0.4852216748768473,"
            + "0.9613562277678196,-0.00015819938649522792,0.31170555871751093,0,0")
        let m = Metrics(result: r, barsPerYear: inputs.barsPerYear)
        let fields = lines[8].split(separator: ",", omittingEmptySubsequences: false).dropFirst(4).map { Double($0) }
        let expected: [Double?] = [m.finalEquity, m.totalReturn, m.cagr, m.sharpe, m.sortino, m.maxDrawdown,
                                   Double(m.maxDrawdownDurationBars), Double(m.numTrades), m.winRate, m.profitFactor,
                                   m.avgTradeReturn, m.exposure, Double(m.rejectedOrders), Double(m.dailyCapHits)]
        #expect(fields == expected)
    }
}
