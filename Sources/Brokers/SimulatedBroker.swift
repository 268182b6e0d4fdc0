import TradingCore

/// A broker simulated on bars, with the backtester's fill conventions: market orders fill at the next bar's open
/// with slippage against the trader; limit orders fill at the limit (or a better open) when the bar reaches it;
/// stop orders fill at the stop (or a worse open) when the bar reaches it; a fixed cost per fill; no partial fills.
public actor SimulatedBroker: Broker {
    public nonisolated let events: AsyncStream<BrokerEvent>
    private let continuation: AsyncStream<BrokerEvent>.Continuation
    private let perFillCost: Double
    private let slippageBps: Double
    private var cash: Double
    private var held: [String: Double] = [:]
    private var lastClose: [String: Double] = [:]
    private var pending: [Order] = []

    public init(initialCash: Double, perFillCost: Double = 0, slippageBps: Double = 0) {
        cash = initialCash
        self.perFillCost = perFillCost
        self.slippageBps = slippageBps
        (events, continuation) = AsyncStream.makeStream(of: BrokerEvent.self)
    }

    public func submit(_ order: Order) {
        guard order.quantity > 0, order.quantity.isFinite else {
            continuation.yield(.rejected(clientOrderID: order.clientOrderID, reason: "quantity must be positive"))
            return
        }
        guard order.type == .market || order.price != nil else {
            continuation.yield(.rejected(clientOrderID: order.clientOrderID, reason: "\(order.type.rawValue) order needs a price"))
            return
        }
        guard !pending.contains(where: { $0.clientOrderID == order.clientOrderID }) else {
            continuation.yield(.rejected(clientOrderID: order.clientOrderID, reason: "duplicate client order id"))
            return
        }
        pending.append(order)
        continuation.yield(.acknowledged(clientOrderID: order.clientOrderID))
    }

    public func cancel(clientOrderID: String) {
        guard let i = pending.firstIndex(where: { $0.clientOrderID == clientOrderID }) else { return }
        pending.remove(at: i)
        continuation.yield(.cancelled(clientOrderID: clientOrderID))
    }

    public func openOrders() -> [Order] { pending }
    public func positions() -> [String: Double] { held.filter { $0.value != 0 } }

    public func account() -> AccountSnapshot {
        AccountSnapshot(cash: cash, equity: cash + held.reduce(0) { $0 + $1.value * (lastClose[$1.key] ?? 0) })
    }

    /// A new bar of `symbol`: pending orders of that symbol fill against it, in submission order.
    public func bar(symbol: String, _ bar: Bar) {
        var still: [Order] = []
        for order in pending {
            guard order.symbol == symbol, let price = fillPrice(order, bar) else {
                still.append(order)
                continue
            }
            let signed = order.side == .buy ? order.quantity : -order.quantity
            cash -= signed * price + perFillCost
            held[symbol, default: 0] += signed
            continuation.yield(.filled(Fill(clientOrderID: order.clientOrderID, symbol: symbol, side: order.side,
                                            quantity: order.quantity, price: price, cost: perFillCost,
                                            reason: .signal)))
        }
        pending = still
        lastClose[symbol] = bar.close
    }

    private func fillPrice(_ order: Order, _ bar: Bar) -> Double? {
        let slip = slippageBps / 10_000
        let buying = order.side == .buy
        switch order.type {
        case .market:
            return buying ? bar.open * (1 + slip) : bar.open * (1 - slip)
        case .limit:
            guard let limit = order.price else { return nil }
            if buying { return bar.open <= limit ? bar.open : (bar.low <= limit ? limit : nil) }
            return bar.open >= limit ? bar.open : (bar.high >= limit ? limit : nil)
        case .stop:
            guard let stop = order.price else { return nil }
            if buying { return bar.open >= stop ? bar.open : (bar.high >= stop ? stop : nil) }
            return bar.open <= stop ? bar.open : (bar.low <= stop ? stop : nil)
        }
    }

    /// Ends the event stream.
    public func close() { continuation.finish() }
}
