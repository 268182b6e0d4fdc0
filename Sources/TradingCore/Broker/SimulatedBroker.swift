/// A broker simulated on bars, with the backtester's fill conventions (`FillModel`): a market order fills at once
/// at the current price — the open of a bar that has opened, the close of a bar that has closed — or, sent before
/// any bar of its symbol, at the next open; a limit or stop order sent during a bar fills at its level if the bar
/// has reached it, and otherwise rests: at a later bar it fills at a gap-through open or at its level when the bar
/// reaches it. Every fill pays slippage against the trader and a fixed cost; no partial fills.
///
/// What it knows per symbol lives in an array, one `SymbolBook` per symbol in the order the symbols were first seen;
/// a caller that drives one symbol bar after bar (`BrokerVenue`) looks its place up once (`book(for:)`) and then
/// passes it, so a bar without orders neither hashes a string nor allocates.
public struct SimulatedBroker: Broker {
    /// What the broker knows about one symbol.
    struct SymbolBook: Sendable {
        let symbol: String
        /// The current bar and whether it has closed; nil before the symbol's first bar.
        var bar: Bar?
        var closed = false
        /// The close of the last bar that closed; nil before the first close.
        var lastClose: Double?
        /// Signed units held; nil until the symbol's first fill.
        var held: Double?

        init(symbol: String) {
            self.symbol = symbol
        }
    }

    private let fillModel: FillModel
    private let perFillCost: Double
    private var cash: Double
    private var books: [SymbolBook] = []
    /// The place of each symbol's book in `books`.
    private var bookIndex: [String: Int] = [:]
    /// The places of the books in `books`, by symbol: the account sums the symbols in this order.
    private var booksBySymbol: [Int] = []
    /// Open orders in the order they were sent, each with its symbol's book and whether it rests from a bar before
    /// the current one.
    private var pending: [(order: Order, book: Int, fromEarlierBar: Bool)] = []

    public init(initialCash: Double, perFillCost: Double = 0, slippageBps: Double = 0) {
        cash = initialCash
        self.perFillCost = perFillCost
        fillModel = FillModel(slippageBps: slippageBps)
    }

    public mutating func submit(_ order: Order) -> [BrokerEvent] {
        var events: [BrokerEvent] = []
        submit(order, book: book(for: order.symbol), into: &events)
        return events
    }

    public mutating func cancel(clientOrderID: String) -> [BrokerEvent] {
        var events: [BrokerEvent] = []
        cancel(clientOrderID: clientOrderID, into: &events)
        return events
    }

    public mutating func barOpened(symbol: String, _ bar: Bar) -> [BrokerEvent] {
        var events: [BrokerEvent] = []
        barOpened(book: book(for: symbol), bar, into: &events)
        return events
    }

    public mutating func barClosed(symbol: String, _ bar: Bar) -> [BrokerEvent] {
        barClosed(book: book(for: symbol), bar)
        return []
    }

    public mutating func poll() -> [BrokerEvent] { [] }

    public var openOrders: [Order] { pending.map(\.order) }

    public var positions: [String: Double] {
        var positions: [String: Double] = [:]
        for book in books {
            if let held = book.held, held != 0 { positions[book.symbol] = held }
        }
        return positions
    }

    public var account: AccountSnapshot {
        var marked = 0.0
        for index in booksBySymbol {
            if let held = books[index].held { marked += held * (books[index].lastClose ?? 0) }
        }
        return AccountSnapshot(cash: cash, equity: cash + marked)
    }

    /// The place of `symbol`'s book, added when the symbol is new.
    mutating func book(for symbol: String) -> Int {
        if let index = bookIndex[symbol] { return index }
        let index = books.count
        books.append(SymbolBook(symbol: symbol))
        bookIndex[symbol] = index
        let place = booksBySymbol.firstIndex { books[$0].symbol > symbol } ?? booksBySymbol.count
        booksBySymbol.insert(index, at: place)
        return index
    }

    /// `submit(_:)` for an order of the symbol whose book is at `book`, its events appended to `events`.
    mutating func submit(_ order: Order, book: Int, into events: inout [BrokerEvent]) {
        guard order.quantity > 0, order.quantity.isFinite else {
            events.append(.rejected(clientOrderID: order.clientOrderID, reason: "quantity must be positive"))
            return
        }
        guard order.type == .market || order.price.map({ $0.isFinite && $0 > 0 }) == true else {
            events.append(.rejected(clientOrderID: order.clientOrderID,
                                    reason: "\(order.type.rawValue) order needs a price"))
            return
        }
        guard !pending.contains(where: { $0.order.clientOrderID == order.clientOrderID }) else {
            events.append(.rejected(clientOrderID: order.clientOrderID, reason: "duplicate client order id"))
            return
        }
        events.append(.acknowledged(clientOrderID: order.clientOrderID))
        if let bar = books[book].bar, let price = priceNow(order, bar, closed: books[book].closed) {
            events.append(fill(order, book: book, at: price))
        } else {
            pending.append((order, book, false))
        }
    }

    /// `cancel(clientOrderID:)`, its events appended to `events`.
    mutating func cancel(clientOrderID: String, into events: inout [BrokerEvent]) {
        guard let i = pending.firstIndex(where: { $0.order.clientOrderID == clientOrderID }) else { return }
        pending.remove(at: i)
        events.append(.cancelled(clientOrderID: clientOrderID))
    }

    /// `barOpened(symbol:_:)` for the symbol whose book is at `book`, its events appended to `events`.
    mutating func barOpened(book: Int, _ bar: Bar, into events: inout [BrokerEvent]) {
        books[book].bar = bar
        books[book].closed = false
        guard !pending.isEmpty else { return }
        var still: [(order: Order, book: Int, fromEarlierBar: Bool)] = []
        for entry in pending {
            guard entry.book == book else {
                still.append(entry)
                continue
            }
            if let price = priceAtNewBar(entry.order, bar) {
                events.append(fill(entry.order, book: book, at: price))
            } else {
                still.append((entry.order, book, true))
            }
        }
        pending = still
    }

    /// `barClosed(symbol:_:)` for the symbol whose book is at `book` (it causes no events).
    mutating func barClosed(book: Int, _ bar: Bar) {
        books[book].bar = bar
        books[book].closed = true
        books[book].lastClose = bar.close
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
        Self.restingFillPrice(side: order.side, type: order.type, level: order.price, bar: bar)
    }

    /// The price an order resting from before `bar` fills at when `bar` opens, before slippage, or nil when the bar
    /// does not reach it: a market order at the open; a limit at the open when the open is better, else at the
    /// limit if reached; a stop at the open when the open is through it, else at the stop if reached. `level` is
    /// the limit or stop price. Shared with the TWS simulator, which fills its orders by the same conventions.
    public static func restingFillPrice(side: OrderSide, type: OrderType, level: Double?, bar: Bar) -> Double? {
        let buying = side == .buy
        switch type {
        case .market:
            return bar.open
        case .limit:
            guard let limit = level else { return nil }
            if buying { return bar.open <= limit ? bar.open : (bar.low <= limit ? limit : nil) }
            return bar.open >= limit ? bar.open : (bar.high >= limit ? limit : nil)
        case .stop:
            guard let stop = level else { return nil }
            if buying { return bar.open >= stop ? bar.open : (bar.high >= stop ? stop : nil) }
            return bar.open <= stop ? bar.open : (bar.low <= stop ? stop : nil)
        }
    }

    private mutating func fill(_ order: Order, book: Int, at level: Double) -> BrokerEvent {
        let buying = order.side == .buy
        let price = fillModel.price(level, buying: buying)
        let signed = buying ? order.quantity : -order.quantity
        cash -= signed * price + perFillCost
        books[book].held = (books[book].held ?? 0) + signed
        return .filled(Fill(clientOrderID: order.clientOrderID, symbol: order.symbol, side: order.side,
                            quantity: order.quantity, price: price, cost: perFillCost, reason: .signal))
    }
}
