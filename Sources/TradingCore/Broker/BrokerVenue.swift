/// The execution model's orders sent to a `Broker`: each ticket becomes an `Order` with a deterministic client order
/// id (strategy, symbol, bar sequence, place among the bar's orders) and fills only by the broker's `.filled`
/// event. An order the broker does not fill at once is cancelled (the model's orders are immediate-or-cancel).
///
/// It keeps what the broker said during the current step — orders sent, fills (carrying the model's reason),
/// rejections and anything else — for the execution service to journal and publish.
///
/// A `SimulatedBroker` is driven directly, by its book for the venue's symbol, with the broker's events gathered in
/// reused buffers: a bar without orders allocates nothing. Any other broker goes through the `Broker` protocol.
public struct BrokerVenue: ExecutionVenue, Sendable {
    /// One rejection by the broker.
    public struct Rejection: Sendable, Equatable {
        public var order: Order
        public var reason: String
    }

    /// The broker given as a `SimulatedBroker`, or nil when it is another broker (then `otherBroker` is set).
    private var simulated: SimulatedBroker?
    /// The place of `symbol`'s book in `simulated`.
    private var simulatedBook = 0
    /// The broker when it is not a `SimulatedBroker`.
    private var otherBroker: (any Broker)?
    public let strategy: String
    public let symbol: String
    /// `strategy-symbol-`, the start of every client order id the venue makes.
    private let orderIDPrefix: String
    private var sequence: UInt64 = 0
    private var index = 0
    /// The events of the order being sent (kept to reuse its storage).
    private var submitted: [BrokerEvent] = []
    /// Orders sent during the current step, in order.
    public private(set) var orders: [Order] = []
    /// Fills during the current step, in order, with the reason the model traded.
    public private(set) var fills: [Fill] = []
    public private(set) var rejections: [Rejection] = []
    /// Client order ids the broker acknowledged during the current step.
    public private(set) var acknowledged: Set<String> = []
    /// Events about orders that are not the model's (none with the simulated broker).
    public private(set) var unsolicited: [BrokerEvent] = []

    public init(broker: any Broker, strategy: String, symbol: String) {
        if var simulated = broker as? SimulatedBroker {
            simulatedBook = simulated.book(for: symbol)
            self.simulated = simulated
        } else {
            otherBroker = broker
        }
        self.strategy = strategy
        self.symbol = symbol
        orderIDPrefix = ClientOrderID.prefix(strategy: strategy, symbol: symbol)
    }

    /// The broker the orders go to.
    public var broker: any Broker {
        if let simulated { return simulated }
        guard let otherBroker else { preconditionFailure("a BrokerVenue holds one broker") }
        return otherBroker
    }

    /// Starts a step: the orders that follow belong to the bar with sequence number `sequence`.
    public mutating func begin(sequence: UInt64) {
        if sequence != self.sequence {
            self.sequence = sequence
            index = 0
        }
        if !orders.isEmpty { orders.removeAll(keepingCapacity: true) }
        if !fills.isEmpty { fills.removeAll(keepingCapacity: true) }
        if !rejections.isEmpty { rejections.removeAll(keepingCapacity: true) }
        if !acknowledged.isEmpty { acknowledged.removeAll(keepingCapacity: true) }
        if !unsolicited.isEmpty { unsolicited.removeAll(keepingCapacity: true) }
    }

    /// The bar opened, for the broker.
    public mutating func barOpened(_ bar: Bar) {
        if simulated != nil {
            simulated!.barOpened(book: simulatedBook, bar, into: &unsolicited)
        } else {
            unsolicited += otherBroker!.barOpened(symbol: symbol, bar) + otherBroker!.poll()
        }
    }

    /// The bar closed, for the broker.
    public mutating func barClosed(_ bar: Bar) {
        if simulated != nil {
            simulated!.barClosed(book: simulatedBook, bar)
        } else {
            unsolicited += otherBroker!.barClosed(symbol: symbol, bar) + otherBroker!.poll()
        }
    }

    public mutating func execute(_ ticket: OrderTicket) -> Double? {
        index += 1
        let order = Order(clientOrderID: ClientOrderID.make(prefix: orderIDPrefix, barSequence: sequence,
                                                            index: index),
                          symbol: symbol, side: ticket.side, quantity: ticket.quantity, type: ticket.type,
                          price: ticket.type == .market ? nil : ticket.price)
        orders.append(order)
        var events: [BrokerEvent] = []
        swap(&events, &submitted)
        if simulated != nil {
            simulated!.submit(order, book: simulatedBook, into: &events)
        } else {
            events = otherBroker!.submit(order)
        }
        var price: Double?
        var open = false
        for event in events {
            switch event {
            case .acknowledged(let id) where id == order.clientOrderID:
                open = true
                acknowledged.insert(id)
            case .filled(var fill) where fill.clientOrderID == order.clientOrderID:
                fill.reason = ticket.reason
                fills.append(fill)
                price = fill.price
                open = false
            case .rejected(let id, let reason) where id == order.clientOrderID:
                rejections.append(Rejection(order: order, reason: reason))
            default:
                unsolicited.append(event)
            }
        }
        events.removeAll(keepingCapacity: true)
        swap(&events, &submitted)
        if open {
            if simulated != nil {
                simulated!.cancel(clientOrderID: order.clientOrderID, into: &unsolicited)
            } else {
                unsolicited += otherBroker!.cancel(clientOrderID: order.clientOrderID)
            }
        }
        return price
    }
}
