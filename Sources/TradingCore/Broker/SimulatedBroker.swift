/// A broker simulated on bars, with the backtester's fill conventions (`FillModel`): a market order fills at once
/// at the current price — the open of a bar that has opened, the close of a bar that has closed — or, sent before
/// any bar of its symbol, at the next open; a limit or stop order sent during a bar fills at its level if the bar
/// has reached it, and otherwise rests: at a later bar it fills at a gap-through open or at its level when the bar
/// reaches it. Every fill pays slippage against the trader and a fixed cost; no partial fills.
public struct SimulatedBroker: Broker {
    private let fillModel: FillModel
    private let perFillCost: Double
    private var cash: Double
    private var held: [String: Double] = [:]
    private var lastClose: [String: Double] = [:]
    private var current: [String: (bar: Bar, closed: Bool)] = [:]
    /// Open orders in the order they were sent, each with whether it rests from a bar before the current one.
    private var pending: [(order: Order, fromEarlierBar: Bool)] = []

    public init(initialCash: Double, perFillCost: Double = 0, slippageBps: Double = 0) {
        cash = initialCash
        self.perFillCost = perFillCost
        fillModel = FillModel(slippageBps: slippageBps)
    }

    public mutating func submit(_ order: Order) -> [BrokerEvent] {
        guard order.quantity > 0, order.quantity.isFinite else {
            return [.rejected(clientOrderID: order.clientOrderID, reason: "quantity must be positive")]
        }
        guard order.type == .market || order.price.map({ $0.isFinite && $0 > 0 }) == true else {
            return [.rejected(clientOrderID: order.clientOrderID, reason: "\(order.type.rawValue) order needs a price")]
        }
        guard !pending.contains(where: { $0.order.clientOrderID == order.clientOrderID }) else {
            return [.rejected(clientOrderID: order.clientOrderID, reason: "duplicate client order id")]
        }
        var events: [BrokerEvent] = [.acknowledged(clientOrderID: order.clientOrderID)]
        if let (bar, closed) = current[order.symbol], let price = priceNow(order, bar, closed: closed) {
            events.append(fill(order, at: price))
        } else {
            pending.append((order, false))
        }
        return events
    }

    public mutating func cancel(clientOrderID: String) -> [BrokerEvent] {
        guard let i = pending.firstIndex(where: { $0.order.clientOrderID == clientOrderID }) else { return [] }
        pending.remove(at: i)
        return [.cancelled(clientOrderID: clientOrderID)]
    }

    public mutating func barOpened(symbol: String, _ bar: Bar) -> [BrokerEvent] {
        current[symbol] = (bar, false)
        var events: [BrokerEvent] = []
        var still: [(order: Order, fromEarlierBar: Bool)] = []
        for entry in pending {
            guard entry.order.symbol == symbol else {
                still.append(entry)
                continue
            }
            if let price = priceAtNewBar(entry.order, bar) {
                events.append(fill(entry.order, at: price))
            } else {
                still.append((entry.order, true))
            }
        }
        pending = still
        return events
    }

    public mutating func barClosed(symbol: String, _ bar: Bar) -> [BrokerEvent] {
        current[symbol] = (bar, true)
        lastClose[symbol] = bar.close
        return []
    }

    public mutating func poll() -> [BrokerEvent] { [] }

    public var openOrders: [Order] { pending.map(\.order) }
    public var positions: [String: Double] { held.filter { $0.value != 0 } }

    public var account: AccountSnapshot {
        let marked = held.keys.sorted().reduce(0.0) { $0 + held[$1]! * (lastClose[$1] ?? 0) }
        return AccountSnapshot(cash: cash, equity: cash + marked)
    }

    /// The price an order sent now fills at, before slippage: market at the current price; stop or limit at its
    /// level when the current bar has reached it (it was sent after the open, so no gap applies).
    private func priceNow(_ order: Order, _ bar: Bar, closed: Bool) -> Double? {
        let buying = order.side == .buy
        switch order.type {
        case .market:
            return closed ? bar.close : bar.open
        case .limit:
            guard !closed, let limit = order.price else { return nil }
            return (buying ? bar.low <= limit : bar.high >= limit) ? limit : nil
        case .stop:
            guard !closed, let stop = order.price else { return nil }
            return (buying ? bar.high >= stop : bar.low <= stop) ? stop : nil
        }
    }

    /// The price a resting order fills at on a new bar, before slippage: a market order at the open; a limit at
    /// the open when the open is better, else at the limit if reached; a stop at the open when the open is through
    /// it, else at the stop if reached.
    private func priceAtNewBar(_ order: Order, _ bar: Bar) -> Double? {
        let buying = order.side == .buy
        switch order.type {
        case .market:
            return bar.open
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

    private mutating func fill(_ order: Order, at level: Double) -> BrokerEvent {
        let buying = order.side == .buy
        let price = fillModel.price(level, buying: buying)
        let signed = buying ? order.quantity : -order.quantity
        cash -= signed * price + perFillCost
        held[order.symbol, default: 0] += signed
        return .filled(Fill(clientOrderID: order.clientOrderID, symbol: order.symbol, side: order.side,
                            quantity: order.quantity, price: price, cost: perFillCost, reason: .signal))
    }
}
