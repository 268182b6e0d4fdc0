import IBKRBroker
import IBKRProtocol
import Testing
import TradingCore

/// The broker's core driven by literal TWS message sequences (decoded by the protocol layer): order ids, fills by
/// `execId` with their commission, partial fills, rejections, cancellations, duplicate ids, the paper guard and the
/// reconciliation after a reconnect or a restart.
struct IBKRBrokerStateTests {
    typealias M = TWSMessages
    static let session = IBKRSessionInfo(serverVersion: 200, connectionTime: "20250102 09:00:00 US/Eastern",
                                         nextValidId: 1001, accounts: [M.account])
    static let buy = Order(clientOrderID: "threshold-AAPL-000001-1", symbol: "AAPL", side: .buy, quantity: 10,
                           type: .market)

    /// A connected state with the reconnect answers (no orders, no positions) already in.
    static func connected(_ configuration: IBKRBrokerState.Configuration = .init(account: M.account, startingCash: 10_000),
                          recorded: IBKRBrokerState.Recorded = .init()) throws -> IBKRBrokerState {
        var state = IBKRBrokerState(configuration: configuration, recorded: recorded)
        _ = state.connected(session)
        _ = try feed(&state, [M.executionsEnd(900_000), M.positionEnd])
        return state
    }

    /// A connected state with `buy` placed (order id 1001) and acknowledged.
    static func working() throws -> IBKRBrokerState {
        var state = try connected()
        _ = state.submit(buy)
        _ = try feed(&state, [M.orderStatus(1001, "Submitted")])
        return state
    }

    /// Every event the messages caused, in order.
    static func feed(_ state: inout IBKRBrokerState, _ messages: [[String]]) throws -> [BrokerEvent] {
        try messages.flatMap { state.received(try M.decode($0)).events }
    }

    static func fill(_ order: Order = buy, quantity: Double = 10, price: Double = 185.5, cost: Double = 1) -> BrokerEvent {
        .filled(Fill(clientOrderID: order.clientOrderID, symbol: order.symbol, side: order.side, quantity: quantity,
                     price: price, cost: cost, reason: .signal))
    }

    @Test func connectAsksForEverythingToReconcile() {
        var state = IBKRBrokerState(configuration: .init(account: M.account))
        let output = state.connected(Self.session)
        #expect(output.requests == [
            .reqOpenOrders, .reqCompletedOrders(apiOnly: true),
            .reqExecutions(reqId: 900_000, filter: IBKRExecutionFilter(account: M.account)), .reqPositions,
        ])
        #expect(output.events.isEmpty)
        #expect(state.isReconciling)
    }

    @Test func marketOrderIsPlacedWithOurIdAsOrderRefAndFilledWithItsCommission() throws {
        var state = try Self.connected()
        let placed = state.submit(Self.buy)
        #expect(placed.events.isEmpty)
        #expect(placed.requests == [.placeOrder(orderId: 1001, contract: .stock("AAPL"), order: IBKROrder(
            action: .buy, quantity: 10, type: .market, timeInForce: .day, account: M.account,
            orderRef: Self.buy.clientOrderID))])
        let id = Self.buy.clientOrderID
        #expect(try Self.feed(&state, [M.openOrder(1001, orderRef: id), M.orderStatus(1001, "PreSubmitted")])
            == [.acknowledged(clientOrderID: id)])
        #expect(state.openOrders == [Self.buy])
        // The execution waits for its commission report; the Filled status adds nothing.
        #expect(try Self.feed(&state, [M.execution("e1", orderId: 1001, orderRef: id),
                                       M.orderStatus(1001, "Filled", filled: "10", remaining: "0", price: "185.5")])
            .isEmpty)
        #expect(try Self.feed(&state, [M.commission("e1", "1.25")]) == [Self.fill(cost: 1.25)])
        #expect(state.openOrders.isEmpty)
        #expect(state.positions == ["AAPL": 10])
        #expect(state.account == AccountSnapshot(cash: 10_000 - 1855 - 1.25, equity: 10_000 - 1.25))
    }

    @Test func aCommissionReportBeforeItsExecutionStillJoins() throws {
        var state = try Self.connected()
        _ = state.submit(Self.buy)
        let id = Self.buy.clientOrderID
        #expect(try Self.feed(&state, [M.commission("e1"), M.execution("e1", orderId: 1001, orderRef: id)])
            == [.acknowledged(clientOrderID: id), Self.fill()])
    }

    @Test func aRepeatedExecIdIsNeverASecondFill() throws {
        var state = try Self.connected()
        _ = state.submit(Self.buy)
        let id = Self.buy.clientOrderID
        let first = try Self.feed(&state, [M.execution("e1", orderId: 1001, orderRef: id), M.commission("e1")])
        #expect(first.filter { if case .filled = $0 { true } else { false } }.count == 1)
        // The same execution again: pushed twice, and in a reqExecutions answer with its commission report.
        #expect(try Self.feed(&state, [M.execution("e1", orderId: 1001, orderRef: id), M.commission("e1"),
                                       M.execution("e1", orderId: 1001, orderRef: id, reqId: 5), M.commission("e1")])
            .isEmpty)
        #expect(state.positions == ["AAPL": 10])
    }

    @Test func partialFillsAreReportedAsTheyComeAndTheOrderStaysOpenUntilComplete() throws {
        var state = try Self.working()
        let id = Self.buy.clientOrderID
        #expect(try Self.feed(&state, [M.execution("e1", orderId: 1001, orderRef: id, shares: "4", price: "185"),
                                       M.commission("e1", "0.4")])
            == [Self.fill(quantity: 4, price: 185, cost: 0.4)])
        #expect(state.openOrders == [Self.buy])
        #expect(try Self.feed(&state, [M.execution("e2", orderId: 1001, orderRef: id, shares: "6", price: "186"),
                                       M.commission("e2", "0.6")])
            == [Self.fill(quantity: 6, price: 186, cost: 0.6)])
        #expect(state.openOrders.isEmpty)
        #expect(state.positions == ["AAPL": 10])
    }

    @Test func aSellFillReducesThePosition() throws {
        var state = try Self.connected(recorded: .init(positions: ["AAPL": 10]))
        let sell = Order(clientOrderID: "s-1", symbol: "AAPL", side: .sell, quantity: 10, type: .limit, price: 190)
        let placed = state.submit(sell)
        #expect(placed.requests == [.placeOrder(orderId: 1001, contract: .stock("AAPL"), order: IBKROrder(
            action: .sell, quantity: 10, type: .limit(190), timeInForce: .day, account: M.account, orderRef: "s-1"))])
        _ = try Self.feed(&state, [M.execution("e9", orderId: 1001, orderRef: "s-1", side: "SLD", price: "190"),
                                   M.commission("e9")])
        #expect(state.positions.isEmpty)
    }

    @Test func aRejectionIsReportedOnce() throws {
        var state = try Self.connected()
        _ = state.submit(Self.buy)
        let id = Self.buy.clientOrderID
        #expect(try Self.feed(&state, [M.error(1001, 201, "Order rejected - reason:Example rejection text"),
                                       M.orderStatus(1001, "Cancelled"), M.error(1001, 202, "Order Canceled")])
            == [.rejected(clientOrderID: id, reason: "Order rejected - reason:Example rejection text")])
        #expect(state.openOrders.isEmpty)
    }

    @Test func aFailedRequestForAnUnacknowledgedOrderIsARejectionButAWarningIsNot() throws {
        var state = try Self.connected()
        _ = state.submit(Self.buy)
        let id = Self.buy.clientOrderID
        #expect(try Self.feed(&state, [M.error(1001, 399, "Order Message: will be placed at the open")]).isEmpty)
        #expect(try Self.feed(&state, [M.error(1001, 200, "No security definition has been found")])
            == [.rejected(clientOrderID: id, reason: "200: No security definition has been found")])
    }

    @Test func aCancellationIsRequestedThenReportedOnce() throws {
        var state = try Self.working()
        let id = Self.buy.clientOrderID
        #expect(state.cancel(clientOrderID: id) == .init(requests: [.cancelOrder(orderId: 1001)]))
        #expect(try Self.feed(&state, [M.error(1001, 202, "Order Canceled - reason:"), M.orderStatus(1001, "Cancelled")])
            == [.cancelled(clientOrderID: id)])
        #expect(state.cancel(clientOrderID: id) == .init())
        #expect(state.cancel(clientOrderID: "unknown") == .init())
        #expect(state.cancelEverything() == .init(requests: [.reqGlobalCancel]))
    }

    @Test func aDuplicateOrderIdSendsTheOrderAgainUnderAFreshId() throws {
        var state = try Self.connected()
        _ = state.submit(Self.buy)
        let id = Self.buy.clientOrderID
        let again = try Self.feed(&state, [])
        #expect(again.isEmpty)
        let output = state.received(try M.decode(M.error(1001, 103, "Duplicate order id")))
        #expect(output.events.isEmpty)
        guard case .placeOrder(let orderId, _, let order)? = output.requests.first else {
            Issue.record("no placeOrder")
            return
        }
        #expect(orderId == 1002)
        #expect(order.orderRef == id)
        #expect(state.orderId(of: id) == 1002)
        #expect(try Self.feed(&state, [M.orderStatus(1001, "Cancelled"), M.error(1001, 202, "Order Canceled")]).isEmpty)
        #expect(try Self.feed(&state, [M.execution("e1", orderId: 1002, orderRef: id), M.commission("e1")])
            == [.acknowledged(clientOrderID: id), Self.fill()])
    }

    @Test func orderIdsStayAboveEverythingSeen() throws {
        var state = IBKRBrokerState(configuration: .init(account: M.account), recorded: .init(highestOrderId: 2000))
        _ = state.connected(Self.session)  // nextValidId 1001 is below the journal's ids
        #expect(state.upcomingOrderId == 2001)
        _ = try Self.feed(&state, [M.openOrder(2500, orderRef: "someone-else"), M.orderStatus(2600, "Submitted")])
        #expect(state.upcomingOrderId == 2601)
        state.disconnected()
        var later = Self.session
        later.nextValidId = 3000
        _ = state.connected(later)
        #expect(state.upcomingOrderId == 3000)
        _ = try Self.feed(&state, [M.nextValidId(3100), M.executionsEnd(900_001), M.positionEnd])
        #expect(state.submit(Self.buy).requests.first.map { if case .placeOrder(3100, _, _) = $0 { true } else { false } } == true)
    }

    @Test func ordersAreRefusedWhileDisconnectedAndDuplicatesOrBadOrdersAlways() throws {
        var state = IBKRBrokerState(configuration: .init(account: M.account))
        #expect(state.submit(Self.buy) == .init(events: [.rejected(clientOrderID: Self.buy.clientOrderID,
                                                                    reason: "not connected to TWS")]))
        state = try Self.connected()
        _ = state.submit(Self.buy)
        #expect(state.submit(Self.buy).events == [.rejected(clientOrderID: Self.buy.clientOrderID,
                                                           reason: "duplicate client order id")])
        let noPrice = Order(clientOrderID: "l-1", symbol: "AAPL", side: .buy, quantity: 1, type: .limit)
        #expect(state.submit(noPrice).events == [.rejected(clientOrderID: "l-1", reason: "a limit order needs a positive price")])
        let zero = Order(clientOrderID: "z-1", symbol: "AAPL", side: .buy, quantity: 0, type: .market)
        #expect(state.submit(zero).requests.isEmpty)
        state.disconnected()
        #expect(state.submit(Order(clientOrderID: "late", symbol: "AAPL", side: .buy, quantity: 1, type: .market))
            .events == [.rejected(clientOrderID: "late", reason: "not connected to TWS")])
    }

    @Test func aLiveAccountIsRefusedUnlessTheLiveMoneyGuardAcceptedExactlyIt() throws {
        var live = Self.session
        live.accounts = ["U7654321"]
        var state = IBKRBrokerState(configuration: .init(account: "U7654321"))
        _ = state.connected(live)
        let refused = state.submit(Self.buy)
        #expect(refused.requests.isEmpty)
        guard case .rejected(_, let reason)? = refused.events.first else {
            Issue.record("not rejected")
            return
        }
        #expect(reason.contains("U7654321 is a live account"))

        state = IBKRBrokerState(configuration: .init(account: "U7654321", liveMoneyAllowed: true))
        _ = state.connected(live)
        _ = try Self.feed(&state, [M.executionsEnd(900_000), M.positionEnd])
        #expect(state.submit(Self.buy).requests.count == 1)

        // The guard is checked again when the login's accounts change.
        state = try Self.connected()
        _ = try Self.feed(&state, [["15", "1", "DU1234567,U1111111"]])
        #expect(state.refusal?.contains("U1111111") == true)
        #expect(state.submit(Self.buy).requests.isEmpty)
    }

    @Test func aFillMissedWhileDisconnectedIsRecordedOnceAfterTheReconnect() throws {
        var state = try Self.working()
        let id = Self.buy.clientOrderID
        state.disconnected()
        let reconnect = state.connected(Self.session)
        #expect(reconnect.requests.contains(.reqExecutions(reqId: 900_001, filter: IBKRExecutionFilter(account: M.account))))
        // The answers: the order no longer open, the missed execution with its commission, the position.
        let events = try Self.feed(&state, [
            M.openOrderEnd, M.completedOrder(orderRef: id, status: "Filled", filled: "10"), M.completedOrdersEnd,
            M.execution("e1", orderId: 1001, orderRef: id, reqId: 900_001), M.commission("e1"),
            M.executionsEnd(900_001), M.position("AAPL", "10"), M.positionEnd,
            // A late push of the same fill.
            M.execution("e1", orderId: 1001, orderRef: id), M.commission("e1"),
        ])
        #expect(events == [Self.fill()])
        #expect(!state.isReconciling)
        #expect(state.positions == ["AAPL": 10])
    }

    @Test func anOrderCancelledWhileDisconnectedIsReportedFromTheCompletedOrders() throws {
        var state = try Self.working()
        let id = Self.buy.clientOrderID
        state.disconnected()
        _ = state.connected(Self.session)
        #expect(try Self.feed(&state, [M.openOrderEnd, M.completedOrder(orderRef: id, status: "Cancelled"),
                                       M.completedOrdersEnd, M.executionsEnd(900_001), M.positionEnd])
            == [.cancelled(clientOrderID: id)])
        #expect(state.openOrders.isEmpty)
    }

    @Test func aPositionThatStillDisagreesAsksForAHaltNamingWhatDiffers() throws {
        var state = IBKRBrokerState(configuration: .init(account: M.account), recorded: .init(positions: ["MSFT": -5]))
        _ = state.connected(Self.session)
        let events = try Self.feed(&state, [
            M.position("AAPL", "10"), M.position("MSFT", "-5"), M.position("NVDA", "3", account: "DU9999999"),
            M.positionEnd,
        ])
        #expect(events.isEmpty)  // the executions have not ended yet
        #expect(try Self.feed(&state, [M.executionsEnd(900_000)])
            == [.halt(reason: "positions differ from IB's after reconnect (account DU1234567: AAPL ours 0 vs IB's 10)")])
        #expect(!state.isReconciling)
        // An executions answer for another request does not end the reconciliation.
        _ = state.connected(Self.session)
        #expect(try Self.feed(&state, [M.positionEnd, M.executionsEnd(7)]).isEmpty)
        #expect(state.isReconciling)
    }

    @Test func aRestartWithTheJournalCountsNothingTwiceAndFindsItsOpenOrderByOrderRef() throws {
        let open = Order(clientOrderID: "threshold-AAPL-000002-1", symbol: "AAPL", side: .buy, quantity: 10, type: .market)
        let recorded = IBKRBrokerState.Recorded(highestOrderId: 1001, executionIds: ["e1"], positions: ["AAPL": 10],
                                                openOrders: [open])
        var state = IBKRBrokerState(configuration: .init(account: M.account), recorded: recorded)
        _ = state.connected(Self.session)
        #expect(state.upcomingOrderId == 1002)
        let events = try Self.feed(&state, [
            M.openOrder(1002, orderRef: open.clientOrderID, status: "Submitted"), M.openOrderEnd, M.completedOrdersEnd,
            M.execution("e1", orderId: 1001, orderRef: Self.buy.clientOrderID, reqId: 900_000), M.commission("e1"),
            M.execution("e2", orderId: 1002, orderRef: open.clientOrderID, reqId: 900_000), M.commission("e2"),
            M.executionsEnd(900_000), M.position("AAPL", "20"), M.positionEnd,
        ])
        #expect(events == [Self.fill(open)])
        #expect(state.positions == ["AAPL": 20])
        #expect(state.upcomingOrderId == 1003)
        #expect(state.cancel(clientOrderID: open.clientOrderID).requests.isEmpty)  // filled: nothing to cancel
    }

    @Test func anOrderNotSentIsRejected() throws {
        var state = try Self.connected()
        let request = state.submit(Self.buy).requests[0]
        #expect(state.notSent(request, reason: "TWS is not connected").events
            == [.rejected(clientOrderID: Self.buy.clientOrderID, reason: "TWS is not connected")])
        #expect(state.notSent(.reqPositions, reason: "x").events.isEmpty)
        #expect(state.openOrders.isEmpty)
    }

    @Test func orderEntryWaitsWhileTWSIsCutOffFromIB() throws {
        var state = try Self.connected()
        _ = try Self.feed(&state, [M.error(-1, 1100, "Connectivity between IB and Trader Workstation has been lost.")])
        guard case .rejected(_, let reason)? = state.submit(Self.buy).events.first else {
            Issue.record("not rejected")
            return
        }
        #expect(reason.hasPrefix("TWS lost its connection to IB (1100)"))
        _ = try Self.feed(&state, [M.error(-1, 1102, "Connectivity between IB and Trader Workstation has been restored - data maintained.")])
        let order = Order(clientOrderID: "after", symbol: "AAPL", side: .buy, quantity: 1, type: .market)
        #expect(state.submit(order).requests.count == 1)
    }

    @Test func aCommissionForAnExecutionThatIsNotOursIsNotKept() throws {
        var state = try Self.connected()
        _ = state.submit(Self.buy)
        // Another client's fill, commission first; later our own execution with the same text id cannot collide.
        #expect(try Self.feed(&state, [M.commission("x1"), M.execution("x1", orderId: 77, orderRef: "other")]).isEmpty)
        #expect(try Self.feed(&state, [M.execution("e1", orderId: 1001, orderRef: Self.buy.clientOrderID),
                                       M.commission("e1")]) == [.acknowledged(clientOrderID: Self.buy.clientOrderID), Self.fill()])
    }

    @Test func ordersWaitForTheReconciliationAndAFailedExecutionsRequestHalts() throws {
        var state = IBKRBrokerState(configuration: .init(account: M.account))
        _ = state.connected(Self.session)
        #expect(state.submit(Self.buy).events == [.rejected(clientOrderID: Self.buy.clientOrderID,
            reason: "reconciling with TWS after connecting (open orders, executions, positions)")])
        #expect(try Self.feed(&state, [M.error(900_000, 2104, "Market data farm connection is OK:usfarm")]).isEmpty)
        #expect(try Self.feed(&state, [M.error(900_000, 322, "Error processing request")])
            == [.halt(reason: "reconciliation after connecting failed: reqExecutions answered 322: Error processing request")])
        #expect(!state.isReconciling)
    }
}
