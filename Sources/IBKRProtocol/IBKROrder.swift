/// An order as this client sends it: stock market, limit, stop and stop-limit orders, with the time in force,
/// the account, our client order id in `orderRef`, and the bracket/OCA links (`parentId`, `ocaGroup`, `transmit`).
///
/// A bracket is a parent (`transmit: false`) followed by its children (`parentId` = the parent's order id, the
/// same `ocaGroup`), the last child with `transmit: true` so that TWS releases the whole group at once.
public struct IBKROrder: Sendable, Hashable {
    /// Buy or sell.
    public enum Action: String, Sendable, Hashable {
        /// Buy.
        case buy = "BUY"
        /// Sell (or sell short).
        case sell = "SELL"
    }

    /// The order type and its prices.
    public enum OrderType: Sendable, Hashable {
        /// `MKT`.
        case market
        /// `LMT` at the limit price.
        case limit(Double)
        /// `STP` triggering at the stop price (sent as the aux price).
        case stop(Double)
        /// `STP LMT`: a limit order at `limit` once `stop` trades.
        case stopLimit(stop: Double, limit: Double)

        var wireName: StaticString {
            switch self {
            case .market: "MKT"
            case .limit: "LMT"
            case .stop: "STP"
            case .stopLimit: "STP LMT"
            }
        }

        var limitPrice: Double? {
            switch self {
            case .limit(let price), .stopLimit(_, let price): price
            case .market, .stop: nil
            }
        }

        var auxPrice: Double? {
            switch self {
            case .stop(let price), .stopLimit(let price, _): price
            case .market, .limit: nil
            }
        }
    }

    /// How long the order works.
    public enum TimeInForce: String, Sendable, Hashable {
        /// Until the end of the trading day.
        case day = "DAY"
        /// Until cancelled.
        case goodTillCancelled = "GTC"
        /// Immediate or cancel.
        case immediateOrCancel = "IOC"
    }

    /// What the other orders of an OCA group do when one fills.
    public enum OCAType: Int, Sendable, Hashable {
        /// Not in a group (the API default).
        case none = 0
        /// Cancel the others, with block (the usual choice for a bracket's take-profit and stop).
        case cancelWithBlock = 1
        /// Reduce the others' size, with block.
        case reduceWithBlock = 2
        /// Reduce the others' size, without block.
        case reduceWithoutBlock = 3
    }

    /// Buy or sell.
    public var action: Action
    /// Shares (or contracts); positive.
    public var quantity: IBKRDecimal
    /// Market, limit, stop or stop-limit.
    public var type: OrderType
    /// DAY/GTC/IOC; nil leaves it to the TWS preset.
    public var timeInForce: TimeInForce?
    /// The IB account the order is for (recommended: the paper `DU…` id).
    public var account: String
    /// Free text kept with the order and echoed in executions: our client order id.
    public var orderRef: String
    /// False stages the order in TWS until a later order of the group is sent with `transmit: true`.
    public var transmit: Bool
    /// The parent's order id for a bracket child (0 = no parent).
    public var parentId: Int
    /// One-cancels-all group name ("" = none).
    public var ocaGroup: String
    /// What the group does when a member fills.
    public var ocaType: OCAType
    /// Allow execution outside regular trading hours.
    public var outsideRegularTradingHours: Bool

    /// An order; the defaults are those of a plain, transmitted, stand-alone order.
    public init(action: Action, quantity: IBKRDecimal, type: OrderType, timeInForce: TimeInForce? = nil,
                account: String = "", orderRef: String = "", transmit: Bool = true, parentId: Int = 0,
                ocaGroup: String = "", ocaType: OCAType = .none, outsideRegularTradingHours: Bool = false) {
        self.action = action
        self.quantity = quantity
        self.type = type
        self.timeInForce = timeInForce
        self.account = account
        self.orderRef = orderRef
        self.transmit = transmit
        self.parentId = parentId
        self.ocaGroup = ocaGroup
        self.ocaType = ocaType
        self.outsideRegularTradingHours = outsideRegularTradingHours
    }
}
