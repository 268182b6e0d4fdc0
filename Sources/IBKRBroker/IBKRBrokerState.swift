import IBKRProtocol
import TradingCore

/// The Interactive Brokers broker as a pure state machine: our orders in, TWS requests out; TWS messages in,
/// `BrokerEvent`s out. No socket, thread or clock: `IBKRBroker` feeds it what its connection received.
///
/// - **Order ids:** each order gets the next IB order id, kept above everything seen — the ids recorded before
///   (`Recorded.highestOrderId`), every `nextValidId`, every order id in `openOrder`/`orderStatus` — on every
///   connect. Our client order id travels as `orderRef`, so an order is recognised again after a restart.
/// - **Fills** are keyed by IB's `execId`: an execution seen before (live, in a `reqExecutions` answer, or recorded
///   before a restart) is never a second fill. A fill is reported once its `commissionReport` (joined by `execId`)
///   has arrived, in either order, with the commission as its cost. Partial fills are reported as they come.
/// - **Closures:** error 201 is a rejection, 202 or a `Cancelled` status a cancellation, each reported once; error
///   103 (duplicate id) sends the order again under a fresh id.
/// - **Reconciliation:** on every connect it asks for open orders, completed orders, executions and positions;
///   missed fills arrive through the executions (once each, by `execId`), orders that ended while disconnected
///   through the completed orders. When both the executions and the positions have ended, every position of the
///   account is compared with ours; a difference produces one `.halt` event naming the symbols and both
///   quantities, which the risk layer turns into a halt.
/// - Orders are refused until that reconciliation has ended (a failed `reqExecutions` is a `.halt`).
/// - **Paper guard:** orders are refused unless `IBKRPaperGuard` accepts the session's managed accounts (checked
///   again on every connect and `managedAccounts`).
public struct IBKRBrokerState: Sendable {
    /// What the broker is told to trade with.
    public struct Configuration: Sendable {
        /// The IB account orders are placed for (a paper `DU…` id).
        public var account: String
        /// Whether `LiveMoneyGuard` was fully satisfied for exactly `account` (only then may it be a live account).
        public var liveMoneyAllowed: Bool
        /// Currency of the stocks traded.
        public var currency: String
        /// Routing destination.
        public var exchange: String
        /// Time in force of every order.
        public var timeInForce: IBKROrder.TimeInForce
        /// Cash before the first fill (for `account`).
        public var startingCash: Double

        /// A configuration; stocks in USD routed through SMART, DAY orders.
        public init(account: String, liveMoneyAllowed: Bool = false, currency: String = "USD",
                    exchange: String = "SMART", timeInForce: IBKROrder.TimeInForce = .day,
                    startingCash: Double = 0) {
            self.account = account
            self.liveMoneyAllowed = liveMoneyAllowed
            self.currency = currency
            self.exchange = exchange
            self.timeInForce = timeInForce
            self.startingCash = startingCash
        }
    }

    /// What was recorded (journaled) before this process started, so that nothing is counted twice.
    public struct Recorded: Sendable {
        /// The highest IB order id used so far.
        public var highestOrderId: Int
        /// Every `execId` already recorded as a fill.
        public var executionIds: Set<String>
        /// Signed units held per symbol after those fills.
        public var positions: [String: Double]
        /// Orders that were still open, in the order they were sent.
        public var openOrders: [Order]

        /// A record; the default is a fresh start.
        public init(highestOrderId: Int = 0, executionIds: Set<String> = [], positions: [String: Double] = [:],
                    openOrders: [Order] = []) {
            self.highestOrderId = highestOrderId
            self.executionIds = executionIds
            self.positions = positions
            self.openOrders = openOrders
        }
    }

    /// What an input caused: requests to send to TWS, in order, and events for the caller, in order.
    public struct Output: Sendable, Equatable {
        /// Requests to send.
        public var requests: [IBKRRequest] = []
        /// Broker events.
        public var events: [BrokerEvent] = []

        /// An output.
        public init(requests: [IBKRRequest] = [], events: [BrokerEvent] = []) {
            self.requests = requests
            self.events = events
        }
    }

    /// One of our orders.
    private struct Tracked {
        var order: Order
        var orderId: Int?
        var filled = 0.0
        var acknowledged = false
        var closed = false
    }

    /// An execution of ours waiting for its commission report.
    private struct PendingFill {
        var clientOrderID: String
        var symbol: String
        var side: OrderSide
        var quantity: Double
        var price: Double
    }

    /// The answers awaited after a connect.
    private struct Reconciliation {
        var executionsRequestId: Int
        var executionsDone = false
        var positionsDone = false
        var brokerPositions: [String: Double] = [:]
    }

    /// The `reqExecutions` ids used for reconciliation start here (well away from data request ids).
    static let firstExecutionsRequestId = 900_000

    private let configuration: Configuration
    private var orders: [String: Tracked] = [:]
    private var sequence: [String] = []
    private var clientOrderIDByOrderId: [Int: String] = [:]
    private var nextOrderId: Int
    private var seenExecutionIds: Set<String>
    private var pendingFills: [String: PendingFill] = [:]
    private var commissionsWaiting: [String: Double] = [:]
    /// Our positions counting every execution of ours accepted, commission reported or not (for reconciliation).
    private var executedPositions: [String: Double]
    private var reportedPositions: [String: Double]
    private var marks: [String: Double] = [:]
    private var cash: Double
    private var reconciliation: Reconciliation?
    private var nextExecutionsRequestId = IBKRBrokerState.firstExecutionsRequestId
    /// Why orders are refused (not connected, TWS cut off from IB, the paper guard); nil when they may go out.
    public private(set) var refusal: String? = IBKRBrokerState.notConnected
    private var isConnected = false
    static let notConnected = "not connected to TWS"
    static let reconciling = "reconciling with TWS after connecting (open orders, executions, positions)"
    /// The managed accounts of the current session.
    public private(set) var managedAccounts: [String] = []

    /// A broker state before its first connect.
    public init(configuration: Configuration, recorded: Recorded = Recorded()) {
        self.configuration = configuration
        nextOrderId = recorded.highestOrderId + 1
        seenExecutionIds = recorded.executionIds
        executedPositions = recorded.positions.filter { $0.value != 0 }
        reportedPositions = executedPositions
        cash = configuration.startingCash
        for order in recorded.openOrders {
            orders[order.clientOrderID] = Tracked(order: order, acknowledged: true)
            sequence.append(order.clientOrderID)
        }
    }

    // MARK: - Reading

    /// Orders acknowledged or sent and neither filled nor closed, in the order they were sent.
    public var openOrders: [Order] {
        sequence.compactMap { id in orders[id].flatMap { $0.closed ? nil : $0.order } }
    }

    /// Signed units per symbol from the fills reported (flat symbols omitted).
    public var positions: [String: Double] { reportedPositions }

    /// Cash after the fills reported and their commissions; equity marks positions at the last bar close or fill.
    public var account: AccountSnapshot {
        let held = reportedPositions.reduce(0.0) { sum, entry in sum + entry.value * (marks[entry.key] ?? 0) }
        return AccountSnapshot(cash: cash, equity: cash + held)
    }

    /// The IB order id the next order will get.
    public var upcomingOrderId: Int { nextOrderId }

    /// The IB order id of one of our orders, once sent.
    public func orderId(of clientOrderID: String) -> Int? { orders[clientOrderID]?.orderId }

    /// True while the answers to the reconnect requests are still awaited.
    public var isReconciling: Bool { reconciliation != nil }

    // MARK: - Connection

    /// The connection became ready: check the accounts, take the order id above everything seen, and ask for
    /// open orders, completed orders, executions and positions to reconcile.
    public mutating func connected(_ session: IBKRSessionInfo) -> Output {
        nextOrderId = max(nextOrderId, session.nextValidId)
        managedAccounts = session.accounts
        isConnected = true
        refusal = guardRefusal()
        let requestId = nextExecutionsRequestId
        nextExecutionsRequestId += 1
        reconciliation = Reconciliation(executionsRequestId: requestId)
        return Output(requests: [
            .reqOpenOrders,
            .reqCompletedOrders(apiOnly: true),
            .reqExecutions(reqId: requestId, filter: IBKRExecutionFilter(account: configuration.account)),
            .reqPositions,
        ])
    }

    /// The connection closed: orders are refused until the next connect; nothing else is forgotten.
    public mutating func disconnected() {
        isConnected = false
        refusal = Self.notConnected
        reconciliation = nil
    }

    // MARK: - Orders

    /// Places an order: a `placeOrder` request, or a rejection (paper guard, not connected, duplicate or invalid
    /// order). The acknowledgement comes with TWS's answer.
    public mutating func submit(_ order: Order) -> Output {
        let id = order.clientOrderID
        if orders[id] != nil { return Output(events: [.rejected(clientOrderID: id, reason: "duplicate client order id")]) }
        if let reason = refusal ?? (reconciliation == nil ? nil : Self.reconciling) ?? problem(with: order) {
            return Output(events: [.rejected(clientOrderID: id, reason: reason)])
        }
        let orderId = takeOrderId()
        orders[id] = Tracked(order: order, orderId: orderId)
        sequence.append(id)
        clientOrderIDByOrderId[orderId] = id
        return Output(requests: [placeOrder(order, orderId: orderId)])
    }

    /// Cancels an open order: a `cancelOrder` request; the cancellation comes with TWS's answer.
    public mutating func cancel(clientOrderID: String) -> Output {
        guard let tracked = orders[clientOrderID], !tracked.closed, let orderId = tracked.orderId else { return Output() }
        return Output(requests: [.cancelOrder(orderId: orderId)])
    }

    /// The kill switch at the broker: cancel every open order of the account, ours or not.
    public func cancelEverything() -> Output { Output(requests: [.reqGlobalCancel]) }

    /// A bar closed: its close marks the position for the account's equity.
    public mutating func mark(_ symbol: String, price: Double) { marks[symbol] = price }

    /// A request could not be sent (not connected): the order it placed is rejected.
    public mutating func notSent(_ request: IBKRRequest, reason: String) -> Output {
        guard case .placeOrder(let orderId, _, _) = request, let id = clientOrderIDByOrderId[orderId],
              var tracked = orders[id], !tracked.closed else { return Output() }
        tracked.closed = true
        orders[id] = tracked
        return Output(events: [.rejected(clientOrderID: id, reason: reason)])
    }

    // MARK: - Messages

    /// A message from TWS.
    public mutating func received(_ message: IBKRIncomingMessage) -> Output {
        var output = Output()
        switch message {
        case .nextValidId(let id):
            nextOrderId = max(nextOrderId, id)
        case .managedAccounts(let accounts):
            managedAccounts = accounts
            if isConnected { refusal = guardRefusal() }
        case .openOrder(let open):
            seen(orderId: open.orderId)
            if let id = link(orderId: open.orderId, orderRef: open.terms.orderRef) {
                status(open.status, of: id, into: &output)
            }
        case .orderStatus(let status):
            seen(orderId: status.orderId)
            if let id = clientOrderIDByOrderId[status.orderId] { self.status(status.status, of: id, into: &output) }
        case .completedOrder(let completed):
            if orders[completed.terms.orderRef] != nil { status(completed.status, of: completed.terms.orderRef, into: &output) }
        case .execution(let execution):
            executed(execution, into: &output)
        case .commissionReport(let commission):
            if let pending = pendingFills.removeValue(forKey: commission.execId) {
                report(pending, cost: commission.commission, into: &output)
            } else if !seenExecutionIds.contains(commission.execId) {
                commissionsWaiting[commission.execId] = commission.commission
            }
        case .error(let error):
            failed(error, into: &output)
        case .position(let position):
            if configuration.account.isEmpty || position.account == configuration.account {
                reconciliation?.brokerPositions[position.contract.symbol, default: 0] += position.position.doubleValue
            }
        case .positionEnd:
            reconciliation?.positionsDone = true
            compareIfComplete(into: &output)
        case .executionsEnd(let reqId):
            if reconciliation?.executionsRequestId == reqId { reconciliation?.executionsDone = true }
            compareIfComplete(into: &output)
        default:
            break
        }
        return output
    }

    // MARK: - Internals

    private func guardRefusal() -> String? {
        do {
            try IBKRPaperGuard.check(managedAccounts: managedAccounts, account: configuration.account,
                                     liveMoneyAllowed: configuration.liveMoneyAllowed)
            return nil
        } catch {
            return error.description
        }
    }

    private func problem(with order: Order) -> String? {
        guard order.quantity > 0, order.quantity.isFinite, IBKRDecimal(exactly: order.quantity) != nil else {
            return "quantity must be a positive number of shares (got \(order.quantity))"
        }
        guard order.type == .market else {
            guard let price = order.price, price.isFinite, price > 0 else {
                return "a \(order.type.rawValue.lowercased()) order needs a positive price"
            }
            return nil
        }
        return nil
    }

    private mutating func takeOrderId() -> Int {
        defer { nextOrderId += 1 }
        return nextOrderId
    }

    private mutating func seen(orderId: Int) {
        nextOrderId = max(nextOrderId, orderId + 1)
    }

    private func placeOrder(_ order: Order, orderId: Int) -> IBKRRequest {
        let type: IBKROrder.OrderType = switch order.type {
        case .market: .market
        case .limit: .limit(order.price ?? 0)
        case .stop: .stop(order.price ?? 0)
        }
        let ibOrder = IBKROrder(action: order.side == .buy ? .buy : .sell,
                                quantity: IBKRDecimal(exactly: order.quantity) ?? .zero, type: type,
                                timeInForce: configuration.timeInForce, account: configuration.account,
                                orderRef: order.clientOrderID)
        let contract = IBKRContract.stock(order.symbol, currency: configuration.currency,
                                          exchange: configuration.exchange)
        return .placeOrder(orderId: orderId, contract: contract, order: ibOrder)
    }

    /// Our client order id for a TWS order: by order id, or by `orderRef` for an order recorded before a restart
    /// (whose order id is then learnt).
    private mutating func link(orderId: Int, orderRef: String) -> String? {
        if let id = clientOrderIDByOrderId[orderId] { return id }
        guard var tracked = orders[orderRef], tracked.orderId == nil || tracked.orderId == orderId else { return nil }
        tracked.orderId = orderId
        orders[orderRef] = tracked
        clientOrderIDByOrderId[orderId] = orderRef
        return orderRef
    }

    private mutating func status(_ status: String, of id: String, into output: inout Output) {
        guard var tracked = orders[id], !tracked.closed else { return }
        switch status {
        case "PreSubmitted", "Submitted", "PendingCancel":
            if !tracked.acknowledged {
                tracked.acknowledged = true
                output.events.append(.acknowledged(clientOrderID: id))
            }
        case "Cancelled", "ApiCancelled":
            tracked.closed = true
            output.events.append(.cancelled(clientOrderID: id))
        default:
            break
        }
        orders[id] = tracked
    }

    private mutating func executed(_ execution: IBKRExecution, into output: inout Output) {
        guard seenExecutionIds.insert(execution.execId).inserted else { return }
        let commission = commissionsWaiting.removeValue(forKey: execution.execId)
        if !configuration.account.isEmpty, !execution.account.isEmpty, execution.account != configuration.account {
            return
        }
        let id = orders[execution.orderRef] != nil
            ? execution.orderRef : link(orderId: execution.orderId, orderRef: execution.orderRef)
        guard let id, let tracked = orders[id] else { return }  // not ours: it shows in IB's positions
        let side: OrderSide = execution.side == "SLD" ? .sell : .buy
        let quantity = execution.shares.doubleValue
        executedPositions[tracked.order.symbol, default: 0] += side == .buy ? quantity : -quantity
        let pending = PendingFill(clientOrderID: id, symbol: tracked.order.symbol, side: side, quantity: quantity,
                                  price: execution.price)
        if let commission {
            report(pending, cost: commission, into: &output)
        } else {
            pendingFills[execution.execId] = pending
        }
    }

    private mutating func report(_ pending: PendingFill, cost: Double, into output: inout Output) {
        if var tracked = orders[pending.clientOrderID] {
            tracked.filled += pending.quantity
            if !tracked.acknowledged {
                tracked.acknowledged = true
                output.events.append(.acknowledged(clientOrderID: pending.clientOrderID))
            }
            if tracked.filled >= tracked.order.quantity - 1e-9 { tracked.closed = true }
            orders[pending.clientOrderID] = tracked
        }
        let signed = pending.side == .buy ? pending.quantity : -pending.quantity
        let held = (reportedPositions[pending.symbol] ?? 0) + signed
        reportedPositions[pending.symbol] = abs(held) < 1e-9 ? nil : held
        cash -= signed * pending.price + cost
        marks[pending.symbol] = pending.price
        output.events.append(.filled(Fill(clientOrderID: pending.clientOrderID, symbol: pending.symbol,
                                          side: pending.side, quantity: pending.quantity, price: pending.price,
                                          cost: cost, reason: .signal)))
    }

    private mutating func failed(_ error: IBKRErrorMessage, into output: inout Output) {
        switch error.kind {
        case .connectivityLost where isConnected:
            // TWS is up but cut off from IB: no order entry until it says the link is back.
            refusal = "TWS lost its connection to IB (\(error.code)): \(error.message)"
            return
        case .connectivityRestored, .connectivityRestoredDataLost:
            if isConnected { refusal = guardRefusal() }
            return
        default:
            break
        }
        if let done = reconciliation, error.reqId == done.executionsRequestId, !error.kind.isBenign {
            // Without the executions nothing can be reconciled: stop rather than trade on a guess.
            reconciliation = nil
            output.events.append(.halt(reason: "reconciliation after connecting failed: reqExecutions answered "
                                       + "\(error.code): \(error.message)"))
            return
        }
        guard let id = clientOrderIDByOrderId[error.reqId], var tracked = orders[id], !tracked.closed else { return }
        switch error.kind {
        case .orderRejected:
            tracked.closed = true
            output.events.append(.rejected(clientOrderID: id, reason: error.message))
        case .orderCancelled:
            tracked.closed = true
            output.events.append(.cancelled(clientOrderID: id))
        case .duplicateOrderId where !tracked.acknowledged && tracked.filled == 0:
            // The refused id is not ours any more: later news about it must not touch this order.
            clientOrderIDByOrderId[error.reqId] = nil
            let orderId = takeOrderId()
            tracked.orderId = orderId
            clientOrderIDByOrderId[orderId] = id
            output.requests.append(placeOrder(tracked.order, orderId: orderId))
        case .requestFailed where !tracked.acknowledged:
            tracked.closed = true
            output.events.append(.rejected(clientOrderID: id, reason: "\(error.code): \(error.message)"))
        default:
            break
        }
        orders[id] = tracked
    }

    private mutating func compareIfComplete(into output: inout Output) {
        guard let done = reconciliation, done.executionsDone, done.positionsDone else { return }
        reconciliation = nil
        let symbols = Set(done.brokerPositions.keys).union(executedPositions.keys).sorted()
        let differences = symbols.compactMap { symbol -> String? in
            let ours = executedPositions[symbol] ?? 0
            let theirs = done.brokerPositions[symbol] ?? 0
            return abs(ours - theirs) < 1e-9 ? nil : "\(symbol) ours \(Self.units(ours)) vs IB's \(Self.units(theirs))"
        }
        guard !differences.isEmpty else { return }
        output.events.append(.halt(reason: "positions differ from IB's after reconnect ("
                                   + (configuration.account.isEmpty ? "" : "account \(configuration.account): ")
                                   + differences.joined(separator: "; ") + ")"))
    }

    private static func units(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
