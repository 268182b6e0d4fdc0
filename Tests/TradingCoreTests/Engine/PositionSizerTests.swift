import Testing
import TradingCore

/// The one sizing rule: units as given; a fraction of equity in whole units at the price, rounded down.
@Suite struct PositionSizerTests {
    @Test func unitsAreTakenAsGiven() {
        #expect(PositionSizer.units(.units(7.5), equity: 1_000, price: 33) == 7.5)
    }

    @Test func aFractionOfEquityIsWholeUnitsRoundedDown() {
        #expect(PositionSizer.units(.fraction(0.5), equity: 1_000, price: 33) == 15)    // 15.15…
        #expect(PositionSizer.units(.fraction(0.95), equity: 100_000, price: 101.05) == 940)   // 940.12…
        #expect(PositionSizer.units(.fraction(0.1), equity: 50, price: 100) == 0)
    }

    /// The denial of a refused decision is sized by the same rule as the order the model would have sent.
    @Test func aRefusedDecisionIsSizedLikeTheOrder() {
        var s = ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings())
        s.execute(Bar(time: 0, open: 100, high: 101, low: 99, close: 40, volume: 1), sequence: 1)
        let wanted = Signal(direction: .long, size: .fraction(0.3))
        let order = s.order(for: wanted)
        #expect(order.side == .buy)
        #expect(order.quantity == PositionSizer.units(wanted.size, equity: s.equity.equity.last ?? 0, price: 40))
        #expect(order.quantity == (0.3 * ExecutionSettings().initialCapital / 40).rounded(.down))
    }
}
