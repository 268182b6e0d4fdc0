/// The execution model's orders sent to a `Broker`: each ticket becomes an `Order` with a deterministic client order
/// id (strategy, symbol, bar sequence, place among the bar's orders) and fills only by the broker's `.filled`
/// event. An order the broker does not fill at once is cancelled (the model's orders are immediate-or-cancel).
///
/// It keeps what the broker said during the current step — orders sent, fills (carrying the model's reason),
/// rejections and anything else — for the execution service to journal and publish.
public struct BrokerVenue: ExecutionVenue, Sendable {
    /// One rejection by the broker.
    public struct Rejection: Sendable, Equatable {
        public var order: Order
        public var reason: String
    }

    public private(set) var broker: any Broker
    public let strategy: String
    public let symbol: String
    private var sequence: UInt64 = 0
    private var index = 0
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
        self.broker = broker
        self.strategy = strategy
        self.symbol = symbol
    }

    /// Starts a step: the orders that follow belong to the bar with sequence number `sequence`.
    public mutating func begin(sequence: UInt64) {
        if sequence != self.sequence {
            self.sequence = sequence
            index = 0
        }
        orders.removeAll(keepingCapacity: true)
        fills.removeAll(keepingCapacity: true)
        rejections.removeAll(keepingCapacity: true)
        acknowledged.removeAll(keepingCapacity: true)
        unsolicited.removeAll(keepingCapacity: true)
    }

    /// The bar opened, for the broker.
    public mutating func barOpened(_ bar: Bar) {
        unsolicited += broker.barOpened(symbol: symbol, bar) + broker.poll()
    }

    /// The bar closed, for the broker.
    public mutating func barClosed(_ bar: Bar) {
        unsolicited += broker.barClosed(symbol: symbol, bar) + broker.poll()
    }

    public mutating func execute(_ ticket: OrderTicket) -> Double? {
        index += 1
        let order = Order(clientOrderID: ClientOrderID.make(strategy: strategy, symbol: symbol, barSequence: sequence,
                                                            index: index),
                          symbol: symbol, side: ticket.side, quantity: ticket.quantity, type: ticket.type,
                          price: ticket.type == .market ? nil : ticket.price)
        orders.append(order)
        var price: Double?
        var open = false
        for event in broker.submit(order) {
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
        if open {
            unsolicited += broker.cancel(clientOrderID: order.clientOrderID)
        }
        return price
    }
}
