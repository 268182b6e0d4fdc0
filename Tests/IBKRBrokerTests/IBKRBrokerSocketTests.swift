import Brokers
import IBKRBroker
import IBKRConnection
import IBKRProtocol
import Logging
import Synchronization
import Testing
import TestSupport
import TradingCore

/// `IBKRBroker` behind the risk layer over a real socket, against a scripted TWS on 127.0.0.1 (port 0) that fills
/// orders and answers the reconnect requests from its own record of what happened at the broker.
@Suite(.timeLimit(.minutes(1)))
struct IBKRBrokerSocketTests {
    typealias M = TWSMessages

    /// What happened at the "broker": executions (with commissions) and positions, and what to send per order.
    final class Venue: Sendable {
        struct Execution: Sendable {
            var execId: String
            var orderId: Int
            var orderRef: String
            var side: String
            var shares: Int
            var price: String
        }

        private struct State {
            var executions: [Execution] = []
            var positions: [String: Int] = [:]
        }

        private let state = Mutex(State())
        /// Shares per execution; an order fills in these pieces.
        let pieces: [Int]
        /// How many of an order's executions reach the client live (the rest happen while it is away).
        let delivered: Int
        /// Units TWS reports beyond what the executions explain (a position that disagrees).
        let extraUnits: Int

        init(pieces: [Int], delivered: Int, extraUnits: Int = 0) {
            self.pieces = pieces
            self.delivered = delivered
            self.extraUnits = extraUnits
        }

        /// The index of a field in an encoded request, found by encoding one with a marker value.
        static func index(of marker: String, in request: IBKRRequest) -> Int {
            let bytes = (try? request.encoded()) ?? []
            return IBKRFrame(payload: Array(bytes.dropFirst(4))).fields.firstIndex(of: marker) ?? -1
        }

        static let orderRefIndex = index(of: "REF-MARK", in: .placeOrder(
            orderId: 1, contract: .stock("AAPL"), order: IBKROrder(action: .buy, quantity: 1, type: .market,
                                                                  orderRef: "REF-MARK")))
        static let executionsReqIdIndex = index(of: "424242", in: .reqExecutions(reqId: 424_242,
                                                                                 filter: IBKRExecutionFilter()))

        func respond(_ request: [String]) -> [[String]] {
            switch request.first {
            case "3":  // placeOrder: every piece executes at the broker; some reach the client now.
                let orderId = Int(request[1]) ?? 0
                let orderRef = request[Self.orderRefIndex]
                let side = request.contains("SELL") ? "SLD" : "BOT"
                let executions = pieces.enumerated().map { index, shares in
                    Execution(execId: "0000e0d5.\(orderId).01.0\(index + 1)", orderId: orderId, orderRef: orderRef,
                              side: side, shares: shares, price: "185.5")
                }
                state.withLock { state in
                    state.executions += executions
                    state.positions["AAPL", default: 0] += executions.reduce(0) { $0 + $1.shares } * (side == "BOT" ? 1 : -1)
                }
                var replies = [M.openOrder(orderId, orderRef: orderRef, status: "Submitted")]
                for execution in executions.prefix(delivered) {
                    replies.append(message(execution, reqId: -1))
                    replies.append(M.commission(execution.execId, "0.5"))
                }
                if delivered < executions.count {
                    // The next execution arrives without its commission report: the socket goes before it.
                    replies.append(message(executions[delivered], reqId: -1))
                }
                return replies
            case "5": return [M.openOrderEnd]
            case "99": return [M.completedOrdersEnd]
            case "7":
                let reqId = Int(request[Self.executionsReqIdIndex]) ?? 0
                let executions = state.withLock { $0.executions }
                return executions.flatMap { [message($0, reqId: reqId), M.commission($0.execId, "0.5")] }
                    + [M.executionsEnd(reqId)]
            case "61":
                let positions = state.withLock { $0.positions }
                return positions.sorted { $0.key < $1.key }.map { M.position($0.key, String($0.value + extraUnits)) }
                    + [M.positionEnd]
            default: return []
            }
        }

        private func message(_ execution: Execution, reqId: Int) -> [String] {
            M.execution(execution.execId, orderId: execution.orderId, orderRef: execution.orderRef,
                        side: execution.side, shares: String(execution.shares), price: execution.price, reqId: reqId)
        }
    }

    static func broker(port: Int) -> RiskManagedBroker<IBKRBroker> {
        var configuration = IBKRConnection.Configuration(port: port, clientId: 7)
        configuration.initialBackoff = .milliseconds(10)
        configuration.maximumBackoff = .milliseconds(50)
        configuration.heartbeatInterval = .seconds(60)
        let logger = Logger(label: "ibkr-broker-test")
        let inner = IBKRBroker(connection: IBKRConnection(configuration: configuration, logger: logger),
                               configuration: .init(account: M.account, startingCash: 100_000), logger: logger)
        inner.start()
        return RiskManagedBroker(inner: inner, limits: RiskLimits(), startOfDayEquity: 100_000, logger: logger)
    }

    /// Polls the broker until `done` holds for it and everything it reported.
    static func poll(_ broker: inout RiskManagedBroker<IBKRBroker>, into events: inout [BrokerEvent],
                     until done: (RiskManagedBroker<IBKRBroker>, [BrokerEvent]) -> Bool) async throws {
        while !done(broker, events) {
            events += broker.poll()
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    static func fills(_ events: [BrokerEvent]) -> [Fill] {
        events.compactMap { if case .filled(let fill) = $0 { fill } else { nil } }
    }

    static let order = Order(clientOrderID: "threshold-AAPL-000001-1", symbol: "AAPL", side: .buy, quantity: 10,
                             type: .market)

    /// Submits once the session is ready and reconciled (an order before that is refused).
    static func submitWhenReady(_ broker: inout RiskManagedBroker<IBKRBroker>, _ order: Order,
                                events: inout [BrokerEvent]) async throws {
        try await poll(&broker, into: &events) { broker, _ in broker.inner.core.refusal == nil && !broker.inner.core.isReconciling }
        events += broker.submit(order)
    }

    /// A broker behind the risk layer against a scripted TWS playing `venue`; `order` submitted once the session is
    /// ready and polled until its first fill.
    static func firstFill(_ venue: Venue) async throws
        -> (tws: FakeTWS, broker: RiskManagedBroker<IBKRBroker>, events: [BrokerEvent]) {
        let tws = FakeTWS { venue.respond($0) }
        var broker = Self.broker(port: tws.port)
        var events: [BrokerEvent] = []
        try await Self.submitWhenReady(&broker, Self.order, events: &events)
        try await Self.poll(&broker, into: &events) { !Self.fills($1).isEmpty }
        return (tws, broker, events)
    }

    static func stop(_ tws: FakeTWS, _ broker: RiskManagedBroker<IBKRBroker>) {
        broker.inner.stop()
        tws.stop()
    }

    @Test func aMarketOrderIsFilledWithItsCommission() async throws {
        let (tws, broker, events) = try await Self.firstFill(Venue(pieces: [10], delivered: 1))
        defer { Self.stop(tws, broker) }

        #expect(events == [
            .acknowledged(clientOrderID: Self.order.clientOrderID),
            .filled(Fill(clientOrderID: Self.order.clientOrderID, symbol: "AAPL", side: .buy, quantity: 10,
                         price: 185.5, cost: 0.5, reason: .signal)),
        ])
        #expect(broker.positions == ["AAPL": 10])
        #expect(broker.account.cash == 100_000 - 1855 - 0.5)
        // On the wire: the order with our client order id as orderRef, for the paper account, id from nextValidId.
        let placed = tws.received.filter { $0.first == "3" }
        #expect(placed.count == 1)
        #expect(placed.first?[1] == "1001")
        #expect(placed.first?[Venue.orderRefIndex] == Self.order.clientOrderID)
        #expect(placed.first?.contains(M.account) == true)
    }

    @Test func aDisconnectDuringFillsLosesNoFillAndDuplicatesNone() async throws {
        // Three pieces: the first arrives whole, the second without its commission report, the third not at all.
        var (tws, broker, events) = try await Self.firstFill(Venue(pieces: [3, 3, 4], delivered: 1))
        defer { Self.stop(tws, broker) }
        tws.dropClient()

        // The reconnect asks for open orders, completed orders, executions and positions, and reconciles.
        try await Self.poll(&broker, into: &events) { _, _ in tws.connections == 2 }
        try await Self.poll(&broker, into: &events) { broker, _ in
            tws.received.filter { $0.first == "61" }.count == 2 && !broker.inner.core.isReconciling
                && broker.inner.core.refusal == nil
        }
        events += broker.poll()
        let fills = Self.fills(events)
        #expect(fills.map(\.quantity) == [3, 3, 4])
        #expect(fills.allSatisfy { $0.cost == 0.5 && $0.clientOrderID == Self.order.clientOrderID })
        #expect(!events.contains { if case .halt = $0 { true } else { false } })
        #expect(broker.positions == ["AAPL": 10])
        #expect(broker.openOrders.isEmpty)
        #expect(broker.tradingState == .active)
        for request in ["5", "99", "7", "61"] {
            #expect(tws.received.filter { $0.first == request }.count == 2, "request \(request) once per connect")
        }
    }

    @Test func aPositionThatDisagreesAfterAReconnectHaltsTrading() async throws {
        var (tws, broker, events) = try await Self.firstFill(Venue(pieces: [10], delivered: 1, extraUnits: 5))
        defer { Self.stop(tws, broker) }
        tws.dropClient()
        try await Self.poll(&broker, into: &events) { _, seen in seen.contains { if case .halt = $0 { true } else { false } } }
        #expect(events.contains(.halt(reason:
            "positions differ from IB's after reconnect (account DU1234567: AAPL ours 10 vs IB's 15)")))
        #expect(broker.tradingState == .halted)
        guard case .denied? = broker.submit(Order(clientOrderID: "next", symbol: "AAPL", side: .buy, quantity: 1,
                                                  type: .market)).first else {
            Issue.record("an order passed after the halt")
            return
        }
    }

    @Test func theKillSwitchCancelsEverythingAtTheBroker() async throws {
        let venue = Venue(pieces: [], delivered: 0)
        let tws = FakeTWS { venue.respond($0) }
        defer { tws.stop() }
        var broker = Self.broker(port: tws.port)
        defer { broker.inner.stop() }
        var events: [BrokerEvent] = []
        let resting = Order(clientOrderID: "resting", symbol: "AAPL", side: .buy, quantity: 1, type: .limit, price: 100)
        try await Self.submitWhenReady(&broker, resting, events: &events)
        try await Self.poll(&broker, into: &events) { _, seen in seen.contains(.acknowledged(clientOrderID: "resting")) }
        events += broker.killCancellingEverything(reason: "operator")
        #expect(broker.tradingState == .halted)
        try await Self.poll(&broker, into: &events) { _, _ in
            tws.received.contains { $0.first == "58" } && tws.received.contains { $0.first == "4" }
        }
        // The open order's own cancel, then the global cancel.
        #expect(tws.received.filter { ["4", "58"].contains($0.first) }.map { $0[0] } == ["4", "58"])
    }
}
