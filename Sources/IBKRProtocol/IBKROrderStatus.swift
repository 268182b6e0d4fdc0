/// An `orderStatus` message (3). It may repeat the same status and arrive before or after `openOrder`; fills are
/// counted from executions (by `execId`), not from here.
public struct IBKROrderStatus: Sendable, Hashable {
    /// The order id.
    public var orderId: Int
    /// `PendingSubmit`, `PreSubmitted`, `Submitted`, `Filled`, `Cancelled`, `Inactive`, `ApiCancelled`, …
    public var status: String
    /// Quantity filled so far.
    public var filled: IBKRDecimal
    /// Quantity still working.
    public var remaining: IBKRDecimal
    /// Average price of the fills so far.
    public var averageFillPrice: Double
    /// IB's permanent id of the order.
    public var permId: Int64
    /// The parent order id of a bracket child (0 = none).
    public var parentId: Int
    /// Price of the last fill.
    public var lastFillPrice: Double
    /// The API client that placed it.
    public var clientId: Int
    /// Why the order is held, if it is.
    public var whyHeld: String
    /// The price the order was capped at, if any.
    public var marketCapPrice: Double

    /// An order status.
    public init(orderId: Int, status: String, filled: IBKRDecimal, remaining: IBKRDecimal, averageFillPrice: Double,
                permId: Int64, parentId: Int = 0, lastFillPrice: Double, clientId: Int, whyHeld: String = "",
                marketCapPrice: Double = 0) {
        self.orderId = orderId
        self.status = status
        self.filled = filled
        self.remaining = remaining
        self.averageFillPrice = averageFillPrice
        self.permId = permId
        self.parentId = parentId
        self.lastFillPrice = lastFillPrice
        self.clientId = clientId
        self.whyHeld = whyHeld
        self.marketCapPrice = marketCapPrice
    }

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        orderId = try reader.int("orderId")
        status = try reader.string("status")
        filled = try reader.quantity("filled")
        remaining = try reader.quantity("remaining")
        averageFillPrice = try reader.double("avgFillPrice")
        permId = Int64(try reader.int("permId"))
        parentId = try reader.int("parentId")
        lastFillPrice = try reader.double("lastFillPrice")
        clientId = try reader.int("clientId")
        whyHeld = try reader.string("whyHeld")
        marketCapPrice = try reader.double("mktCapPrice")
    }
}
