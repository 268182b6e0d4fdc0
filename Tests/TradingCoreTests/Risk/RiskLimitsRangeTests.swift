import Testing
import TestSupport
@testable import TradingCore

/// Every number of `config/risk.yaml` is checked against its range, with an error naming the file and the key.
@Suite struct RiskLimitsRangeTests {
    static let outOfRange: [(String, String)] = [
        ("reducing_at: 7.5", "risk.yaml: reducing_at: expected a share of the daily loss limit in (0, 1] or null, "
            + "got '7.5'"),
        ("max_daily_loss_fraction: 3", "risk.yaml: max_daily_loss_fraction: expected a fraction of the day's "
            + "starting equity in (0, 1) or null, got '3'"),
        ("max_daily_loss_fraction: 1", "risk.yaml: max_daily_loss_fraction: expected a fraction of the day's "
            + "starting equity in (0, 1) or null, got '1'"),
        ("limit_collar: 3", "risk.yaml: limit_collar: expected a fraction of the last mark in (0, 1) or null, got '3'"),
        ("max_orders_per_minute: 1e300", "risk.yaml: max_orders_per_minute: expected a whole number of orders from 1 "
            + "to 1000000 or null, got '1e300'"),
        ("max_position_units: 0", "risk.yaml: max_position_units: expected a positive number or null, got '0'"),
        ("max_daily_loss: -5", "risk.yaml: max_daily_loss: expected a positive number or null, got '-5'"),
        ("max_order_notional: .inf", "risk.yaml: max_order_notional: expected a positive number or null, got '.inf'"),
    ]

    @Test(arguments: outOfRange)
    func aValueOutOfRangeNamesTheFileAndTheKey(_ yaml: String, _ message: String) {
        let error = #expect(throws: RiskConfigError.self) { try RiskLimits.parse(yaml, file: "risk.yaml") }
        #expect(error?.description == message)
    }

    @Test func theBoundsThemselves() throws {
        let (limits, _) = try RiskLimits.parse("""
            reducing_at: 1
            max_daily_loss_fraction: 0.999
            limit_collar: 0.5
            max_orders_per_minute: 1000000
            """, file: "risk.yaml")
        #expect(limits.reducingAt == 1)
        #expect(limits.maxDailyLossFraction == 0.999)
        #expect(limits.limitCollar == 0.5)
        #expect(limits.maxOrdersPerMinute == 1_000_000)
    }

    @Test func theBundledRiskConfigIsInRange() throws {
        let text = try String(contentsOfFile: DataFixtures.repositoryRoot + "/config/risk.yaml", encoding: .utf8)
        let (limits, mode) = try RiskLimits.parse(text, file: "config/risk.yaml")
        #expect(mode == "paper")
        #expect(limits.reducingAt == 0.75)
    }
}
