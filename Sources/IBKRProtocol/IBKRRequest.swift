/// A client → TWS message at server version 200. `encoded()` gives the framed bytes, field for field what the
/// official client writes (the fixtures in `shared/ibkr/fixtures_v200.json` are the reference).
public enum IBKRRequest: Sendable, Hashable {
    /// `startApi` (71): sent right after the server version reply.
    case startApi(clientId: Int, optionalCapabilities: String = "")
    /// `reqIds` (8): asks for a fresh `nextValidId`.
    case reqIds
    /// `reqCurrentTime` (49): answered by `currentTime`; the heartbeat.
    case reqCurrentTime
    /// `placeOrder` (3): places or modifies (same id) an order.
    case placeOrder(orderId: Int, contract: IBKRContract, order: IBKROrder)
    /// `cancelOrder` (4).
    case cancelOrder(orderId: Int)
    /// `reqGlobalCancel` (58): cancels every open order of every client.
    case reqGlobalCancel
    /// `reqOpenOrders` (5): this client's open orders.
    case reqOpenOrders
    /// `reqAllOpenOrders` (16): the open orders of every client and of TWS.
    case reqAllOpenOrders
    /// `reqAutoOpenOrders` (15): binds TWS orders to client 0.
    case reqAutoOpenOrders(autoBind: Bool)
    /// `reqCompletedOrders` (99): filled and cancelled orders of the day.
    case reqCompletedOrders(apiOnly: Bool)
    /// `reqExecutions` (7): the executions matching a filter.
    case reqExecutions(reqId: Int, filter: IBKRExecutionFilter)
    /// `reqPositions` (61): every position of every account, then `positionEnd`.
    case reqPositions
    /// `cancelPositions` (64).
    case cancelPositions
    /// `reqAccountSummary` (62): `group` is usually `All`; `tags` a comma list.
    case reqAccountSummary(reqId: Int, group: String, tags: String)
    /// `cancelAccountSummary` (63).
    case cancelAccountSummary(reqId: Int)
    /// `reqAccountUpdates` (6): account values and portfolio of one account.
    case reqAccountUpdates(subscribe: Bool, account: String)
    /// `reqManagedAccts` (17).
    case reqManagedAccounts
    /// `reqContractDetails` (9).
    case reqContractDetails(reqId: Int, contract: IBKRContract, includeExpired: Bool = false)
    /// `reqRealTimeBars` (50): 5-second bars.
    case reqRealTimeBars(reqId: Int, contract: IBKRContract, whatToShow: String, useRegularTradingHours: Bool)
    /// `cancelRealTimeBars` (51).
    case cancelRealTimeBars(reqId: Int)
    /// `reqHistoricalData` (20).
    case reqHistoricalData(IBKRHistoricalDataRequest)
    /// `cancelHistoricalData` (25): also ends a keepUpToDate subscription.
    case cancelHistoricalData(reqId: Int)
    /// `reqMarketDataType` (59): 1 live, 2 frozen, 3 delayed, 4 delayed-frozen.
    case reqMarketDataType(Int)

    /// The outgoing message id.
    public var messageId: Int {
        switch self {
        case .startApi: 71
        case .reqIds: 8
        case .reqCurrentTime: 49
        case .placeOrder: 3
        case .cancelOrder: 4
        case .reqGlobalCancel: 58
        case .reqOpenOrders: 5
        case .reqAllOpenOrders: 16
        case .reqAutoOpenOrders: 15
        case .reqCompletedOrders: 99
        case .reqExecutions: 7
        case .reqPositions: 61
        case .cancelPositions: 64
        case .reqAccountSummary: 62
        case .cancelAccountSummary: 63
        case .reqAccountUpdates: 6
        case .reqManagedAccounts: 17
        case .reqContractDetails: 9
        case .reqRealTimeBars: 50
        case .cancelRealTimeBars: 51
        case .reqHistoricalData: 20
        case .cancelHistoricalData: 25
        case .reqMarketDataType: 59
        }
    }

    /// The request's name, as used in errors and logs.
    public var name: String {
        switch self {
        case .startApi: "startApi"
        case .reqIds: "reqIds"
        case .reqCurrentTime: "reqCurrentTime"
        case .placeOrder: "placeOrder"
        case .cancelOrder: "cancelOrder"
        case .reqGlobalCancel: "reqGlobalCancel"
        case .reqOpenOrders: "reqOpenOrders"
        case .reqAllOpenOrders: "reqAllOpenOrders"
        case .reqAutoOpenOrders: "reqAutoOpenOrders"
        case .reqCompletedOrders: "reqCompletedOrders"
        case .reqExecutions: "reqExecutions"
        case .reqPositions: "reqPositions"
        case .cancelPositions: "cancelPositions"
        case .reqAccountSummary: "reqAccountSummary"
        case .cancelAccountSummary: "cancelAccountSummary"
        case .reqAccountUpdates: "reqAccountUpdates"
        case .reqManagedAccounts: "reqManagedAccts"
        case .reqContractDetails: "reqContractDetails"
        case .reqRealTimeBars: "reqRealTimeBars"
        case .cancelRealTimeBars: "cancelRealTimeBars"
        case .reqHistoricalData: "reqHistoricalData"
        case .cancelHistoricalData: "cancelHistoricalData"
        case .reqMarketDataType: "reqMarketDataType"
        }
    }

    /// `startApi` without optional capabilities, which cannot fail to encode.
    static func startApiBytes(clientId: Int) -> [UInt8] {
        var writer = IBKRMessageWriter(messageId: 71, request: "startApi")
        writer.add(2)
        writer.add(clientId)
        writer.addEmpty()
        return writer.finish()
    }

    /// The framed bytes to send (length prefix included). Throws when a text field holds a character TWS refuses
    /// or the request is one this client cannot express (a combo, keepUpToDate with an end time).
    public func encoded() throws(IBKRProtocolError) -> [UInt8] {
        var writer = IBKRMessageWriter(messageId: messageId, request: name,
                                       capacity: messageId == 3 ? 400 : 64)
        switch self {
        case .startApi(let clientId, let capabilities) where capabilities.isEmpty:
            return Self.startApiBytes(clientId: clientId)
        case .startApi(let clientId, let capabilities):
            writer.add(2)
            writer.add(clientId)
            try writer.add(capabilities, field: "optionalCapabilities")
        case .reqIds:
            writer.add(1)
            writer.add(-1)
        case .reqCurrentTime, .reqOpenOrders, .reqAllOpenOrders, .reqPositions, .cancelPositions,
             .reqManagedAccounts:
            writer.add(1)
        case .placeOrder(let orderId, let contract, let order):
            try IBKRPlaceOrderEncoder.write(orderId: orderId, contract: contract, order: order, to: &writer)
        case .cancelOrder(let orderId):
            writer.add(orderId)
            writer.addEmpty(2)  // manualOrderCancelTime, extOperator
            writer.addLiteral("2147483647")  // manualOrderIndicator unset
        case .reqGlobalCancel:
            writer.addEmpty()  // extOperator
            writer.addLiteral("2147483647")  // manualOrderIndicator unset
        case .reqAutoOpenOrders(let autoBind):
            writer.add(1)
            writer.add(autoBind)
        case .reqCompletedOrders(let apiOnly):
            writer.add(apiOnly)
        case .reqExecutions(let reqId, let filter):
            writer.add(3)
            writer.add(reqId)
            writer.add(filter.clientId)
            try writer.add(filter.account, field: "acctCode")
            try writer.add(filter.time, field: "time")
            try writer.add(filter.symbol, field: "symbol")
            try writer.add(filter.secType, field: "secType")
            try writer.add(filter.exchange, field: "exchange")
            try writer.add(filter.side, field: "side")
            writer.add(filter.lastNDays ?? Int(Int32.max))
            writer.add(filter.specificDates.count)
            for date in filter.specificDates { writer.add(date) }
        case .reqAccountSummary(let reqId, let group, let tags):
            writer.add(1)
            writer.add(reqId)
            try writer.add(group, field: "group")
            try writer.add(tags, field: "tags")
        case .cancelAccountSummary(let reqId), .cancelRealTimeBars(let reqId), .cancelHistoricalData(let reqId):
            writer.add(1)
            writer.add(reqId)
        case .reqAccountUpdates(let subscribe, let account):
            writer.add(2)
            writer.add(subscribe)
            try writer.add(account, field: "acctCode")
        case .reqContractDetails(let reqId, let contract, let includeExpired):
            writer.add(8)
            writer.add(reqId)
            try contract.write(to: &writer)
            writer.add(includeExpired)
            writer.addEmpty(3)  // secIdType, secId, issuerId
        case .reqRealTimeBars(let reqId, let contract, let whatToShow, let useRTH):
            writer.add(3)
            writer.add(reqId)
            try contract.write(to: &writer)
            writer.add(5)  // the only bar size TWS accepts
            try writer.add(whatToShow, field: "whatToShow")
            writer.add(useRTH)
            writer.addEmpty()  // realTimeBarsOptions
        case .reqHistoricalData(let request):
            if request.keepUpToDate && !request.endDateTime.isEmpty {
                throw .invalidRequest(name, field: "endDateTime",
                                      "must be empty with keepUpToDate (got '\(request.endDateTime)')")
            }
            writer.add(request.reqId)
            try request.contract.write(to: &writer)
            writer.add(request.includeExpired)
            try writer.add(request.endDateTime, field: "endDateTime")
            try writer.add(request.barSize, field: "barSize")
            try writer.add(request.duration, field: "duration")
            writer.add(request.useRegularTradingHours)
            try writer.add(request.whatToShow, field: "whatToShow")
            writer.add(request.formatDate)
            writer.add(request.keepUpToDate)
            writer.addEmpty()  // chartOptions
        case .reqMarketDataType(let type):
            writer.add(1)
            writer.add(type)
        }
        return writer.finish()
    }
}
