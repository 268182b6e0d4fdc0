import Testing
@testable import TradingCore
@testable import TradingRun

@Suite struct BacktestConfigTests {
    static let yaml = """
        data: bars.csv
        symbol: NVDA
        predictions: preds.csv
        initial_capital: 50000
        strategy:
          name: threshold
          entry_threshold: 0.002
          exit_threshold: -0.001
          allow_short: true
          stop_loss: 0.02
          size: {units: 10}
        costs: {per_trade: 1.5, slippage_bps: 3}
        risk: {daily_loss_cap: 0.05, max_leverage: 2}
        close_at_end: true
        """

    @Test func parsesEveryKnownKey() throws {
        let c = try BacktestConfig.parse(yaml: Self.yaml)
        #expect(c.data == "bars.csv")
        #expect(c.predictions == "preds.csv")
        #expect(c.strategy.entryThreshold == 0.002)
        #expect(c.strategy.exitThreshold == -0.001)
        #expect(c.strategy.allowShort)
        #expect(c.strategy.stopLoss == 0.02)
        #expect(c.strategy.takeProfit == nil)
        #expect(c.strategy.size == .units(10))
        #expect(c.execution == ExecutionSettings(initialCapital: 50_000, perTradeCost: 1.5, slippageBps: 3,
                                                 dailyLossCap: 0.05, maxLeverage: 2, closeAtEnd: true))
    }

    @Test func overridesApplyAndCreateSections() throws {
        let c = try BacktestConfig.parse(yaml: Self.yaml, overrides: [
            "strategy.entry_threshold=0.005", "strategy.take_profit=0.04", "strategy.size.fraction=0.5",
            "strategy.stop_loss=null", "predictions=~",
        ])
        #expect(c.strategy.entryThreshold == 0.005)
        #expect(c.strategy.takeProfit == 0.04)
        #expect(c.strategy.size == .fraction(0.5))
        #expect(c.strategy.stopLoss == nil)
        #expect(c.predictions == nil)
        let units = try BacktestConfig.parse(yaml: Self.yaml, overrides: ["strategy.size.fraction=0.5",
                                                                           "strategy.size.units=3"])
        #expect(units.strategy.size == .units(3))
    }

    @Test func unknownKeyNamesThePathAndSuggests() {
        do {
            _ = try BacktestConfig.parse(yaml: Self.yaml + "\nstrategy2: 1\n")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".hasPrefix("config: strategy2: unknown key"), "the file, then the key")
        }
        do {
            _ = try BacktestConfig.parse(yaml: Self.yaml, overrides: ["strategy.entry_treshold=0.1"])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("strategy.entry_treshold: unknown key (did you mean entry_threshold?)"))
        }
    }

    @Test func wrongTypesAndValuesNameTheKey() {
        let cases: [(String, String)] = [
            ("strategy.entry_threshold=abc", "strategy.entry_threshold: expected a number, got 'abc'"),
            ("close_at_end=maybe", "close_at_end: expected true or false, got 'maybe'"),
            ("risk.daily_loss_cap=2", "risk.daily_loss_cap: must be a fraction in (0, 1), got 2.0"),
            ("strategy.size={fraction: 0.5, units: 2}", "strategy.size: give exactly one of fraction or units"),
            ("strategy=3", "strategy: expected a mapping, got '3'"),
            ("strategy.size.units.x=1", "strategy.size.units: expected a mapping, got '10'"),
            ("strategy.entry_threshold=[1, 2]", "strategy.entry_threshold: expected a number, got 'a list'"),
            ("strategy.sma_period=2.5", "strategy.sma_period: expected an integer, got '2.5'"),
            ("on_bad_row=ignore", "on_bad_row: expected fail or skip, got 'ignore'"),
            ("noequals", "an override is written key.path=value"),
        ]
        for (override, message) in cases {
            do {
                _ = try BacktestConfig.parse(yaml: Self.yaml, overrides: [override])
                Issue.record("expected an error for \(override)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test func missingDataKey() {
        #expect(throws: ConfigError.self) { try BacktestConfig.parse(yaml: "symbol: X\n") }
    }

    @Test func canonicalJSONRoundTripsThroughTheParser() throws {
        let c = try BacktestConfig.parse(yaml: Self.yaml)
        let again = try BacktestConfig.parse(yaml: c.canonicalJSON)
        #expect(again == c)
        #expect(again.canonicalJSON == c.canonicalJSON)
    }
}

/// Every number of a backtest config is checked against its range, with an error naming the file and the key.
@Suite struct BacktestConfigRangeTests {
    static let outOfRange: [(String, String)] = [
        ("strategy.entry_threshold=1", "strategy.entry_threshold: must be a return between -1 and 1 (0.01 is 1 %), "
            + "got 1.0"),
        ("strategy.exit_threshold=-2", "strategy.exit_threshold: must be a return between -1 and 1 (0.01 is 1 %), "
            + "got -2.0"),
        ("strategy.short_entry_threshold=-1.5", "strategy.short_entry_threshold: must be a return between -1 and 1"),
        ("strategy.short_exit_threshold=3", "strategy.short_exit_threshold: must be a return between -1 and 1"),
        ("strategy.stop_loss=1", "strategy.stop_loss: must be a fraction in (0, 1), got 1.0"),
        ("strategy.stop_loss=0", "strategy.stop_loss: must be a fraction in (0, 1), got 0.0"),
        ("strategy.take_profit=-0.1", "strategy.take_profit: must be positive, got -0.1"),
        ("strategy.size.fraction=3", "strategy.size.fraction: must be in (0, risk.max_leverage] = (0, 2.0], got 3.0"),
        ("strategy.size.units=0", "strategy.size.units: must be positive, got 0.0"),
        ("strategy.sma_period=0", "strategy.sma_period: must be between 1 and 1000000, got 0"),
        ("risk.max_leverage=500", "risk.max_leverage: must be at most 100, got 500.0"),
        ("costs.slippage_bps=10000", "costs.slippage_bps: must be below 10000 (basis points: 10000 is the whole "
            + "price), got 10000.0"),
        ("risk.daily_loss_cap=2", "risk.daily_loss_cap: must be a fraction in (0, 1), got 2.0"),
    ]

    @Test(arguments: outOfRange)
    func aValueOutOfRangeNamesTheFileAndTheKey(_ override: String, _ message: String) {
        let error = #expect(throws: ConfigError.self) {
            try BacktestConfig.parse(yaml: BacktestConfigTests.yaml, file: "config/b.yaml", overrides: [override])
        }
        #expect(error?.description.hasPrefix("config/b.yaml: " + message) == true, "\(error.map { "\($0)" } ?? "")")
        #expect(error?.key == String(override.prefix(while: { $0 != "=" })))
    }

    @Test func valuesAtTheEdgesAreAccepted() throws {
        let c = try BacktestConfig.parse(yaml: BacktestConfigTests.yaml, overrides: [
            "strategy.entry_threshold=0.999", "strategy.stop_loss=0.999", "strategy.size.fraction=2",
            "risk.max_leverage=100", "costs.slippage_bps=9999", "strategy.sma_period=1",
        ])
        #expect(c.strategy.size == .fraction(2))
        #expect(c.execution.maxLeverage == 100)
    }
}
