import Testing
@testable import TradingCore

/// Every rule as state-machine transitions: the order at the limit passes, the next one is denied with the rule.
@Suite struct RiskStateMachineTests {
    static let second: Int64 = 1_000_000_000

    static func order(_ id: String, _ side: OrderSide, _ qty: Double, type: OrderType = .market, price: Double? = nil,
                      symbol: String = "NVDA") -> Order {
        Order(clientOrderID: id, symbol: symbol, side: side, quantity: qty, type: type, price: price)
    }

    static func fill(_ o: Order, price: Double, cost: Double = 0) -> Fill {
        Fill(clientOrderID: o.clientOrderID, symbol: o.symbol, side: o.side, quantity: o.quantity, price: price,
             cost: cost, reason: .signal)
    }

    static func deniedRule(_ actions: [RiskAction]) -> String? {
        if case .deny(let d) = actions.first { d.rule } else { nil }
    }

    @Test func orderSizeUnitsAndNotional() {
        var risk = RiskStateMachine(limits: RiskLimits(maxOrderUnits: 100, maxOrderNotional: 5_000), startOfDayEquity: 1e5)
        _ = risk.mark("NVDA", price: 50)
        #expect(risk.submit(Self.order("a", .buy, 100), at: 0) == [.forward(Self.order("a", .buy, 100))])
        #expect(Self.deniedRule(risk.submit(Self.order("b", .buy, 101), at: 0)) == "max_order_units")
        _ = risk.mark("NVDA", price: 60)
        #expect(Self.deniedRule(risk.submit(Self.order("c", .buy, 90), at: 0)) == "max_order_notional")
        var unpriced = RiskStateMachine(limits: RiskLimits(maxOrderNotional: 5_000), startOfDayEquity: 1e5)
        #expect(Self.deniedRule(unpriced.submit(Self.order("d", .buy, 1), at: 0)) == "max_order_notional")
    }

    @Test func positionLimitsLetReducingOrdersThrough() {
        var risk = RiskStateMachine(limits: RiskLimits(maxPositionUnits: 100, maxPositionNotional: 20_000),
                                    startOfDayEquity: 1e5)
        _ = risk.mark("NVDA", price: 150)
        let a = Self.order("a", .buy, 100)
        #expect(risk.submit(a, at: 0) == [.forward(a)])
        _ = risk.filled(Self.fill(a, price: 150))
        #expect(risk.position("NVDA") == 100)
        #expect(Self.deniedRule(risk.submit(Self.order("b", .buy, 1), at: 0)) == "max_position_units")
        _ = risk.mark("NVDA", price: 250)   // 100 × 250 = 25,000 > 20,000, but selling reduces
        #expect(Self.deniedRule(risk.submit(Self.order("c", .sell, 10), at: 0)) == nil)
        #expect(Self.deniedRule(risk.submit(Self.order("d", .sell, 250), at: 0)) == "max_position_units")  // flips to −150
    }

    @Test func ordersPerMinuteWindowSlides() {
        var risk = RiskStateMachine(limits: RiskLimits(maxOrdersPerMinute: 2), startOfDayEquity: 1e5)
        #expect(Self.deniedRule(risk.submit(Self.order("a", .buy, 1), at: 0)) == nil)
        #expect(Self.deniedRule(risk.submit(Self.order("b", .buy, 1), at: 30 * Self.second)) == nil)
        #expect(Self.deniedRule(risk.submit(Self.order("c", .buy, 1), at: 59 * Self.second)) == "max_orders_per_minute")
        #expect(Self.deniedRule(risk.submit(Self.order("d", .buy, 1), at: 61 * Self.second)) == nil)   // "a" left
    }

    @Test func limitPriceCollar() {
        var risk = RiskStateMachine(limits: RiskLimits(limitCollar: 0.05), startOfDayEquity: 1e5)
        _ = risk.mark("NVDA", price: 100)
        #expect(Self.deniedRule(risk.submit(Self.order("a", .buy, 1, type: .limit, price: 104.9), at: 0)) == nil)
        #expect(Self.deniedRule(risk.submit(Self.order("b", .buy, 1, type: .limit, price: 106), at: 0)) == "limit_collar")
        #expect(Self.deniedRule(risk.submit(Self.order("c", .sell, 1, type: .limit, price: 94), at: 0)) == "limit_collar")
    }

    @Test func killCancelsOpenOrdersFlattensAndHoldsUntilResume() {
        var risk = RiskStateMachine(limits: RiskLimits(), startOfDayEquity: 1e5)
        let a = Self.order("a", .buy, 10), b = Self.order("b", .buy, 5, type: .limit, price: 90)
        _ = risk.submit(a, at: 0)
        _ = risk.filled(Self.fill(a, price: 100))
        _ = risk.submit(b, at: 0)
        #expect(risk.kill(reason: "manual") == [
            .stateChanged(.halted, reason: "kill switch: manual"),
            .cancel(["b"]),
            .flatten(symbol: "NVDA", side: .sell, quantity: 10),
        ])
        #expect(Self.deniedRule(risk.submit(Self.order("c", .buy, 1), at: 0)) == "halted")
        #expect(risk.newTradingDay(startOfDayEquity: 1e5) == [])   // a kill survives the day change
        #expect(risk.state == .halted)
        #expect(risk.resume() == [.stateChanged(.active, reason: "resumed")])
        #expect(Self.deniedRule(risk.submit(Self.order("d", .buy, 1), at: 0)) == nil)
    }

    @Test func dailyLossReducesThenHaltsThenResetsNextDay() {
        // Limit 1,000 (or 2 % of 100,000 = 2,000: the smaller wins); REDUCING at half of it.
        var risk = RiskStateMachine(limits: RiskLimits(maxDailyLoss: 1_000, maxDailyLossFraction: 0.02, reducingAt: 0.5),
                                    startOfDayEquity: 100_000)
        let a = Self.order("a", .buy, 100)
        _ = risk.submit(a, at: 0)
        _ = risk.filled(Self.fill(a, price: 100, cost: 1))
        #expect(risk.mark("NVDA", price: 95) == [.stateChanged(.reducing, reason: "daily loss 501.0 reached 0.5 of the limit 1000.0")])
        #expect(Self.deniedRule(risk.submit(Self.order("b", .buy, 1), at: 0)) == "reducing")
        let c = Self.order("c", .sell, 10)
        #expect(risk.submit(c, at: 0) == [.forward(c)])     // reducing is allowed
        _ = risk.filled(Self.fill(c, price: 95))            // realised −50, unrealised −450, cost −1
        let open = Self.order("o", .sell, 5, type: .limit, price: 99)
        _ = risk.submit(open, at: 0)
        #expect(risk.mark("NVDA", price: 89) == [
            .stateChanged(.halted, reason: "daily loss 1041.0 reached the limit 1000.0"),
            .cancel(["o"]),
            .flatten(symbol: "NVDA", side: .sell, quantity: 90),
        ])
        #expect(Self.deniedRule(risk.submit(Self.order("d", .sell, 1), at: 0)) == "halted")
        #expect(risk.resume() == [])                         // resume lifts only a kill
        #expect(risk.newTradingDay(startOfDayEquity: 98_959) == [.stateChanged(.active, reason: "new trading day")])
        #expect(risk.dayPnL == 0)
        #expect(Self.deniedRule(risk.submit(Self.order("e", .buy, 1), at: 0)) == nil)
    }

    @Test func shortPositionsAndFlipsAreAccounted() {
        var risk = RiskStateMachine(limits: RiskLimits(), startOfDayEquity: 1e5)
        let s = Self.order("s", .sell, 10)
        _ = risk.submit(s, at: 0)
        _ = risk.filled(Self.fill(s, price: 100))
        #expect(risk.position("NVDA") == -10)
        let b = Self.order("b", .buy, 15)
        _ = risk.submit(b, at: 0)
        _ = risk.filled(Self.fill(b, price: 90))             // covers 10 at +10 each, opens 5 long at 90
        #expect(risk.position("NVDA") == 5)
        #expect(risk.dayPnL == 100)
        _ = risk.mark("NVDA", price: 92)
        #expect(risk.dayPnL == 110)
    }

    @Test func configParsingIsStrict() throws {
        let (limits, mode) = try RiskLimits.parse("""
            mode: paper
            max_daily_loss: 2500
            max_orders_per_minute: 30
            limit_collar: 0.02
            flatten_on_kill: false
            """, file: "risk.yaml")
        #expect(mode == "paper")
        #expect(limits.maxDailyLoss == 2500 && limits.maxOrdersPerMinute == 30 && !limits.flattenOnKill)
        #expect(throws: RiskConfigError.self) { try RiskLimits.parse("max_daily_los: 1", file: "risk.yaml") }
        #expect(throws: RiskConfigError.self) { try RiskLimits.parse("max_order_units: -5", file: "risk.yaml") }
        #expect(throws: RiskConfigError.self) { try RiskLimits.parse("mode: yolo", file: "risk.yaml") }
        #expect(throws: RiskConfigError.self) { try RiskLimits.parse("max_orders_per_minute: 2.5", file: "risk.yaml") }
    }

    @Test func resumeAfterAKillRespectsTheReducingLevel() {
        var risk = RiskStateMachine(limits: RiskLimits(maxDailyLoss: 1_000, reducingAt: 0.5), startOfDayEquity: 1e5)
        let a = Self.order("a", .buy, 100)
        _ = risk.submit(a, at: 0)
        _ = risk.filled(Self.fill(a, price: 100))
        _ = risk.kill(reason: "manual")
        _ = risk.mark("NVDA", price: 94)     // −600: past the reducing level, under the limit
        #expect(risk.resume() == [.stateChanged(.reducing, reason: "resumed; the day's loss is past the reducing level")])
        #expect(risk.state == .reducing)
    }
}
