import IBKRProtocol

/// An order the simulator holds: what the client sent, who sent it, and how far it got.
struct TWSSimOrder: Sendable {
    /// Where the order is.
    enum State: Sendable, Equatable {
        /// Placed with `transmit: false`: waits for a later order of its group to transmit.
        case held
        /// Transmitted and working (a child works once its parent has filled).
        case working
        /// Filled at `price`.
        case filled
        /// Cancelled (by the client, a global cancel, its OCA group or its parent).
        case cancelled
    }

    let orderId: Int
    let clientId: Int
    let permId: Int64
    var contract: IBKRContract
    var order: IBKROrder
    var state: State
    /// A stop-limit order whose stop has traded works as a limit order.
    var triggered = false
    var filledPrice = 0.0
    var completedTime = ""

    var isOpen: Bool { state == .held || state == .working }

    var terms: IBKROrderTerms {
        IBKROrderTerms(contract: contract, action: order.action.rawValue, totalQuantity: order.quantity,
                       orderType: Self.typeName(order.type), limitPrice: Self.limit(order.type),
                       auxPrice: Self.aux(order.type), timeInForce: order.timeInForce?.rawValue ?? "DAY",
                       ocaGroup: order.ocaGroup, account: order.account, orderRef: order.orderRef)
    }

    func status(_ text: String) -> IBKROrderStatus {
        let filled = state == .filled
        return IBKROrderStatus(orderId: orderId, status: text, filled: filled ? order.quantity : .zero,
                               remaining: filled ? .zero : order.quantity, averageFillPrice: filled ? filledPrice : 0,
                               permId: permId, parentId: order.parentId, lastFillPrice: filled ? filledPrice : 0,
                               clientId: clientId)
    }

    func openOrder(_ status: String) -> IBKROpenOrder {
        IBKROpenOrder(orderId: orderId, terms: terms, clientId: clientId, permId: permId, status: status,
                      outsideRegularTradingHours: order.outsideRegularTradingHours, parentId: order.parentId,
                      ocaType: order.ocaType.rawValue)
    }

    /// The status TWS reports for the order now.
    var statusText: String {
        switch state {
        case .held: "PreSubmitted"
        case .working: "Submitted"
        case .filled: "Filled"
        case .cancelled: "Cancelled"
        }
    }

    private static func typeName(_ type: IBKROrder.OrderType) -> String {
        switch type {
        case .market: "MKT"
        case .limit: "LMT"
        case .stop: "STP"
        case .stopLimit: "STP LMT"
        }
    }

    private static func limit(_ type: IBKROrder.OrderType) -> Double? {
        switch type {
        case .limit(let price), .stopLimit(_, let price): price
        case .market, .stop: nil
        }
    }

    private static func aux(_ type: IBKROrder.OrderType) -> Double? {
        switch type {
        case .stop(let price), .stopLimit(let price, _): price
        case .market, .limit: nil
        }
    }
}
