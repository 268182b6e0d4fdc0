import IBKRProtocol
import TradingCore

/// The simulator as a pure state machine: told what a client sent (`handle`) and when the clock moves
/// (`advance`), it answers with the messages to send and the connections to close. No socket, thread or clock:
/// the socket layer owns those.
///
/// The clock stands at the close of bar `barIndex` (bars before it and it are history); `advance()` moves it one
/// bar on. Orders fill with the simulated broker's conventions (`SimulatedBroker.restingFillPrice`): an order
/// placed now fills when the next bar opens — a market order at its open, a limit or stop at the open when the
/// open is through its level, else at its level when the bar reaches it.
public struct TWSSimCore: Sendable {
    struct Connection: Sendable {
        var clientId: Int?
        /// reqIds of 5-second bar subscriptions.
        var realTimeBars: [Int] = []
        /// keepUpToDate history subscriptions: reqId → base bars per bar.
        var keepUpToDate: [Int: Int] = [:]
    }

    let configuration: TWSSimConfiguration
    /// The configuration's bars with their times in epoch seconds (the protocol's unit).
    let bars: [Bar]
    /// Seconds per bar of the data.
    public let barInterval: Int64
    /// The bar the clock has completed.
    public internal(set) var barIndex: Int
    /// Clock steps since the start.
    public internal(set) var steps = 0
    var connections: [Int: Connection] = [:]
    var orders: [Int: TWSSimOrder] = [:]
    /// Order ids in the order they were placed: the order fills are evaluated in.
    var sequence: [Int] = []
    var nextOrderId = 1
    var nextPermId: Int64 = 1_000_000_001
    var executions: [(execution: IBKRExecution, commission: IBKRCommissionReport)] = []
    var position = 0.0
    var averageCost = 0.0
    var cash: Double
    var realizedPNL = 0.0
    /// Fills so far (the `after_fill` faults count these).
    public internal(set) var fillCount = 0
    var rejectNextOrder = false
    var duplicateNextOrder = false
    var pacingViolationNext = false

    /// A simulator at `configuration.startIndex`. Throws when there are fewer than two bars or the start is
    /// outside them.
    public init(configuration: TWSSimConfiguration) throws(TWSSimError) {
        let bars = configuration.bars
        guard bars.count >= 2 else { throw .data("the data has \(bars.count) bar(s); the simulator needs at least 2") }
        guard bars.indices.contains(configuration.startIndex) else {
            throw .data("start bar \(configuration.startIndex) is outside the data's \(bars.count) bars")
        }
        let interval = BarInterval.infer(times: bars.map(\.time)) / Timestamps.nanosPerSecond
        guard interval > 0 else { throw .data("the bars' times do not increase by a second or more") }
        self.bars = bars.map {
            Bar(time: $0.time / Timestamps.nanosPerSecond, open: $0.open, high: $0.high, low: $0.low,
                close: $0.close, volume: $0.volume)
        }
        self.configuration = configuration
        barInterval = interval
        barIndex = configuration.startIndex
        cash = configuration.initialCash
    }

    /// The simulated time: the close of the current bar, epoch seconds.
    public var clock: Int64 { bars[barIndex].time + barInterval }

    /// True once the clock has reached the last bar.
    public var isAtEnd: Bool { barIndex == bars.count - 1 }

    /// The connection time TWS reports in its version reply.
    public var connectionTimeText: String { TWSSimTime.text(clock) }

    /// Shares held (negative when short).
    public var positionQuantity: Double { position }

    // MARK: - Connections

    /// A client completed its handshake on `connection`.
    public mutating func connectionOpened(_ connection: Int) {
        connections[connection] = Connection()
    }

    /// The connection closed; its subscriptions end, its orders live on.
    public mutating func connectionClosed(_ connection: Int) {
        connections[connection] = nil
    }

    /// A message id the simulator does not serve.
    public func unsupported(messageId: Int, from connection: Int) -> [TWSSimOutput] {
        [.send(error(-1, 321, "Error validating request: message \(messageId) is not served by TWSSim"),
               to: connection)]
    }

    /// A request that could not be decoded (named in `reason`).
    public func undecodable(_ reason: String, from connection: Int) -> [TWSSimOutput] {
        [.send(error(-1, 320, "Error reading request: \(reason)"), to: connection)]
    }

    func error(_ reqId: Int, _ code: Int, _ text: String, json: String = "") -> IBKRIncomingMessage {
        .error(IBKRErrorMessage(reqId: reqId, code: code, message: text, advancedOrderRejectJson: json,
                                timeMilliseconds: clock * 1000))
    }

    /// The connection serving API client `clientId`, if it is connected.
    func connection(ofClient clientId: Int) -> Int? {
        connections.first { $0.value.clientId == clientId }?.key
    }

    // MARK: - Requests

    /// Answers one request from `connection`.
    public mutating func handle(_ request: IBKRRequest, from connection: Int) -> [TWSSimOutput] {
        var out: [TWSSimOutput] = []
        func send(_ message: IBKRIncomingMessage) { out.append(.send(message, to: connection)) }
        switch request {
        case .startApi(let clientId, _):
            if connections.contains(where: { $0.key != connection && $0.value.clientId == clientId }) {
                send(error(-1, 326, "Unable to connect as the client id is already in use. Retry with a unique "
                           + "client id."))
                out.append(.disconnect(connection))
                return out
            }
            connections[connection, default: Connection()].clientId = clientId
            send(.managedAccounts([configuration.account]))
            send(.nextValidId(nextOrderId))
            send(error(-1, 2104, "Market data farm connection is OK:usfarm"))
            send(error(-1, 2106, "HMDS data farm connection is OK:ushmds"))
            send(error(-1, 2158, "Sec-def data farm connection is OK:secdefnj"))
        case .reqIds:
            send(.nextValidId(nextOrderId))
        case .reqCurrentTime:
            send(.currentTime(clock))
        case .reqManagedAccounts:
            send(.managedAccounts([configuration.account]))
        case .placeOrder(let orderId, let contract, let order):
            out += place(orderId: orderId, contract: contract, order: order, from: connection)
        case .cancelOrder(let orderId):
            out += cancel(orderId: orderId, from: connection)
        case .reqGlobalCancel:
            for id in sequence where orders[id]?.isOpen == true { out += cancelled(id, reason: "") }
        case .reqOpenOrders, .reqAllOpenOrders:
            let clientId = connections[connection]?.clientId
            for id in sequence {
                guard let order = orders[id], order.isOpen else { continue }
                if case .reqOpenOrders = request, order.clientId != clientId { continue }
                send(.openOrder(order.openOrder(order.statusText)))
                send(.orderStatus(order.status(order.statusText)))
            }
            send(.openOrderEnd)
        case .reqAutoOpenOrders, .reqMarketDataType, .cancelPositions, .cancelAccountSummary:
            break
        case .reqCompletedOrders:
            for id in sequence {
                guard let order = orders[id], !order.isOpen else { continue }
                let filled = order.state == .filled
                send(.completedOrder(IBKRCompletedOrder(
                    terms: order.terms, permId: order.permId, status: order.statusText,
                    filledQuantity: filled ? order.order.quantity : .zero,
                    parentPermId: order.order.parentId == 0 ? nil : orders[order.order.parentId]?.permId,
                    completedTime: order.completedTime,
                    completedStatus: filled ? "Filled Size: \(order.order.quantity)" : "Cancelled by Trader")))
            }
            send(.completedOrdersEnd)
        case .reqExecutions(let reqId, let filter):
            for (execution, commission) in executions where Self.matches(execution, filter) {
                var answer = execution
                answer.reqId = reqId
                send(.execution(answer))
                send(.commissionReport(commission))
            }
            send(.executionsEnd(reqId: reqId))
        case .reqPositions:
            if fillCount > 0 {
                send(.position(IBKRPosition(account: configuration.account, contract: configuration.contract,
                                            position: IBKRDecimal(exactly: position) ?? .zero,
                                            averageCost: averageCost)))
            }
            send(.positionEnd)
        case .reqAccountSummary(let reqId, _, let tags):
            for (tag, value) in accountValues() where tags.split(separator: ",").contains(Substring(tag)) {
                send(.accountSummary(IBKRAccountSummaryRow(reqId: reqId, account: configuration.account, tag: tag,
                                                           value: value, currency: "USD")))
            }
            send(.accountSummaryEnd(reqId: reqId))
        case .reqAccountUpdates(let subscribe, _):
            guard subscribe else { break }
            for (key, value) in accountValues() {
                send(.accountValue(IBKRAccountValue(key: key, value: value, currency: "USD",
                                                    account: configuration.account)))
            }
            if fillCount > 0 { send(.portfolioValue(portfolio())) }
            send(.accountUpdateTime(String(TWSSimTime.text(clock).dropFirst(9).prefix(5))))
            send(.accountDownloadEnd(account: configuration.account))
        case .reqContractDetails(let reqId, let contract, _):
            guard serves(contract) else {
                send(error(reqId, 200, "No security definition has been found for the request"))
                break
            }
            send(.contractDetails(IBKRContractDetails(reqId: reqId, contract: configuration.contract,
                                                      marketName: configuration.symbol,
                                                      longName: configuration.symbol + " (TWSSim)")))
            send(.contractDetailsEnd(reqId: reqId))
        case .reqRealTimeBars(let reqId, let contract, _, _):
            if let refusal = marketDataRefusal(reqId, contract, code: 420,
                                               "Invalid Real-time Query:Historical data request pacing violation") {
                send(refusal)
                break
            }
            connections[connection]?.realTimeBars.append(reqId)
        case .cancelRealTimeBars(let reqId):
            connections[connection]?.realTimeBars.removeAll { $0 == reqId }
        case .reqHistoricalData(let historical):
            out += history(historical, from: connection)
        case .cancelHistoricalData(let reqId):
            connections[connection]?.keepUpToDate[reqId] = nil
        }
        return out
    }

    func serves(_ contract: IBKRContract) -> Bool {
        contract.symbol == configuration.symbol || (contract.conId == configuration.conId && contract.symbol.isEmpty)
    }

    /// An error for a market-data request on another symbol, or the scripted pacing violation; nil to serve it.
    mutating func marketDataRefusal(_ reqId: Int, _ contract: IBKRContract, code: Int, _ pacingText: String)
        -> IBKRIncomingMessage? {
        guard serves(contract) else {
            return error(reqId, 200, "No security definition has been found for the request")
        }
        guard !pacingViolationNext else {
            pacingViolationNext = false
            return error(reqId, code, pacingText)
        }
        return nil
    }

    static func matches(_ execution: IBKRExecution, _ filter: IBKRExecutionFilter) -> Bool {
        (filter.clientId == 0 || filter.clientId == execution.clientId)
            && (filter.account.isEmpty || filter.account == execution.account)
            && (filter.symbol.isEmpty || filter.symbol == execution.contract.symbol)
            && (filter.side.isEmpty || (filter.side == "BUY") == (execution.side == "BOT"))
    }

    // MARK: - Account

    var lastPrice: Double { bars[barIndex].close }

    func accountValues() -> [(String, String)] {
        let positionValue = position * lastPrice
        let net = cash + positionValue
        return [("NetLiquidation", Self.money(net)), ("TotalCashValue", Self.money(cash)),
                ("GrossPositionValue", Self.money(abs(positionValue))), ("EquityWithLoanValue", Self.money(net)),
                ("AvailableFunds", Self.money(net - abs(positionValue) * 0.25)),
                ("BuyingPower", Self.money(max(0, net - abs(positionValue) * 0.25) * 4))]
    }

    func portfolio() -> IBKRPortfolioValue {
        IBKRPortfolioValue(contract: configuration.contract, position: IBKRDecimal(exactly: position) ?? .zero,
                           marketPrice: lastPrice, marketValue: position * lastPrice, averageCost: averageCost,
                           unrealizedPNL: (lastPrice - averageCost) * position, realizedPNL: realizedPNL,
                           account: configuration.account)
    }

    /// Money with two decimals, as TWS writes account values.
    static func money(_ value: Double) -> String {
        let cents = Int64((value * 100).rounded())
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let fraction = magnitude % 100
        return sign + String(magnitude / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
}
