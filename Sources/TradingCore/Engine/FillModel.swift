/// The price conventions of every simulated fill: slippage of `slippageBps` basis points against the trader on the
/// price the order fills at (an open, a close, a stop or target level). The in-process engine uses it directly as
/// its `ExecutionVenue`; the simulated broker prices its fills with it, so both fill at the same prices.
public struct FillModel: Sendable, Equatable, ExecutionVenue {
    public let slippageBps: Double

    public init(slippageBps: Double) {
        self.slippageBps = slippageBps
    }

    /// `price` after slippage for a buy (higher) or a sell (lower).
    @inline(__always)
    public func price(_ price: Double, buying: Bool) -> Double {
        let slip = slippageBps / 10_000
        return buying ? price * (1 + slip) : price * (1 - slip)
    }

    /// Fills every ticket at its price, after slippage.
    @inline(__always)
    public mutating func execute(_ ticket: OrderTicket) -> Double? {
        price(ticket.price, buying: ticket.side == .buy)
    }
}
