import IBKRProtocol
import Testing

/// Every server message in the fixture file must decode to a typed value whose fields equal the callback values
/// the official client recorded. A fixture the decoder skips, or a recorded value the mapping below does not
/// produce, fails the suite.
@Suite struct DecoderFixtureTests {
    typealias Value = Fixtures.Value

    @Test(arguments: Fixtures.file.server_messages.keys.sorted())
    func decoderMatchesFixture(name: String) throws {
        let fixture = try #require(Fixtures.file.server_messages[name])
        let message = try IBKRMessageDecoder.decode(Fixtures.frame(fixture.hex))
        let actual = Self.callbacks(of: message)
        #expect(actual.map(\.name) == fixture.callbacks.map(\.name), "\(name): decoded as \(message)")
        for (expected, got) in zip(fixture.callbacks, actual) {
            for (key, value) in expected.values {
                let mine = try #require(got.values[key], "\(name): no decoded value for '\(key)'")
                #expect(mine.matches(value), "\(name).\(key): decoded \(mine), fixture \(value)")
            }
        }
    }

    @Test func contractDetailsAndEnd() throws {
        // Checked once with the official client's decoder at version 200: all 43 fields consumed.
        let fields = Fixtures.contractDetailsFields
        guard case .contractDetails(let details) = try IBKRMessageDecoder.decode(
            IBKRFrame(payload: Fixtures.payload(fields))) else {
            Issue.record("not decoded as contractDetails")
            return
        }
        #expect(details.reqId == 6001)
        #expect(details.contract == IBKRContract.stock("AAPL", primaryExchange: "NASDAQ", conId: 265598)
            .with(localSymbol: "AAPL", tradingClass: "NMS"))
        #expect(details.longName == "APPLE INC é")
        #expect(details.minTick == 0.01)
        #expect(details.timeZoneId == "US/Eastern")
        #expect(details.liquidHours.hasPrefix("20250102:0930"))
        #expect(details.secIds == [IBKRTagValue(tag: "ISIN", value: "US0378331005")])
        #expect(details.stockType == "COMMON")
        #expect(details.minSize == IBKRDecimal("0.0001"))
        #expect(details.suggestedSizeIncrement == IBKRDecimal(100))
        #expect(details.ineligibilityReasons.isEmpty)
        #expect(try IBKRMessageDecoder.decode(IBKRFrame(payload: Fixtures.payload(["52", "1", "6001"])))
            == .contractDetailsEnd(reqId: 6001))
    }

    @Test func completedOrderAndEnd() throws {
        // Checked once with the official client's decoder at version 200: all 102 fields consumed.
        let fields = Fixtures.completedOrderFields
        guard case .completedOrder(let order) = try IBKRMessageDecoder.decode(
            IBKRFrame(payload: Fixtures.payload(fields))) else {
            Issue.record("not decoded as completedOrder")
            return
        }
        #expect(order.terms.contract.symbol == "AAPL")
        #expect(order.terms.contract.conId == 265598)
        #expect(order.terms.action == "BUY")
        #expect(order.terms.totalQuantity == 10)
        #expect(order.terms.orderType == "LMT")
        #expect(order.terms.limitPrice == 185.25)
        #expect(order.terms.account == "DU1234567")
        #expect(order.terms.orderRef == "co-43")
        #expect(order.permId == 1_122_334_456)
        #expect(order.status == "Filled")
        #expect(order.filledQuantity == 10)
        #expect(order.parentPermId == nil)
        #expect(order.completedTime == "20250102 09:30:01 US/Eastern")
        #expect(order.completedStatus == "Filled Size: 10")
        #expect(try IBKRMessageDecoder.decode(IBKRFrame(payload: Fixtures.payload(["102"]))) == .completedOrdersEnd)
    }

    /// The decoded message in the official client's callback vocabulary (names and argument keys).
    static func callbacks(of message: IBKRIncomingMessage) -> [(name: String, values: [String: Value])] {
        func decimal(_ value: IBKRDecimal?) -> Value { value.map { .string($0.description) } ?? .unset }
        func optional(_ value: Double?) -> Value { value.map { .double($0) } ?? .unset }
        func bar(_ reqId: Int, _ bar: IBKRHistoricalBar) -> [String: Value] {
            ["reqId": .int(reqId), "date": .string(bar.date), "open": .double(bar.open), "high": .double(bar.high),
             "low": .double(bar.low), "close": .double(bar.close), "volume": decimal(bar.volume),
             "wap": decimal(bar.wap), "barCount": .int(bar.barCount)]
        }
        switch message {
        case .managedAccounts(let accounts):
            return [("managedAccounts", ["accountsList": .string(accounts.joined(separator: ","))])]
        case .nextValidId(let id):
            return [("nextValidId", ["orderId": .int(id)])]
        case .error(let error):
            return [("error", ["reqId": .int(error.reqId), "errorTime": .int(Int(error.timeMilliseconds)),
                               "errorCode": .int(error.code), "errorString": .string(error.message),
                               "advancedOrderRejectJson": .string(error.advancedOrderRejectJson)])]
        case .currentTime(let time):
            return [("currentTime", ["time": .int(Int(time))])]
        case .openOrder(let order):
            let terms = order.terms
            return [("openOrder", [
                "orderId": .int(order.orderId), "conId": .int(terms.contract.conId),
                "symbol": .string(terms.contract.symbol), "secType": .string(terms.contract.secType),
                "exchange": .string(terms.contract.exchange), "currency": .string(terms.contract.currency),
                "action": .string(terms.action), "totalQuantity": decimal(terms.totalQuantity),
                "orderType": .string(terms.orderType), "lmtPrice": optional(terms.limitPrice),
                "auxPrice": optional(terms.auxPrice), "tif": .string(terms.timeInForce),
                "account": .string(terms.account), "clientId": .int(order.clientId),
                "permId": .int(Int(order.permId)), "status": .string(order.status),
                "deltaNeutralOrderType": .string(order.deltaNeutralOrderType),
                "imbalanceOnly": .bool(order.imbalanceOnly)])]
        case .orderStatus(let status):
            return [("orderStatus", [
                "orderId": .int(status.orderId), "status": .string(status.status), "filled": decimal(status.filled),
                "remaining": decimal(status.remaining), "avgFillPrice": .double(status.averageFillPrice),
                "permId": .int(Int(status.permId)), "parentId": .int(status.parentId),
                "lastFillPrice": .double(status.lastFillPrice), "clientId": .int(status.clientId),
                "whyHeld": .string(status.whyHeld), "mktCapPrice": .double(status.marketCapPrice)])]
        case .execution(let execution):
            return [("execDetails", [
                "reqId": .int(execution.reqId), "orderId": .int(execution.orderId),
                "conId": .int(execution.contract.conId), "symbol": .string(execution.contract.symbol),
                "execId": .string(execution.execId), "time": .string(execution.time),
                "acctNumber": .string(execution.account), "exchange": .string(execution.exchange),
                "side": .string(execution.side), "shares": decimal(execution.shares),
                "price": .double(execution.price), "permId": .int(Int(execution.permId)),
                "clientId": .int(execution.clientId), "cumQty": decimal(execution.cumulativeQuantity),
                "avgPrice": .double(execution.averagePrice), "lastLiquidity": .int(execution.lastLiquidity),
                "submitter": .string(execution.submitter)])]
        case .executionsEnd(let reqId):
            return [("execDetailsEnd", ["reqId": .int(reqId)])]
        case .commissionReport(let report):
            return [("commissionAndFeesReport", [
                "execId": .string(report.execId), "commissionAndFees": .double(report.commission),
                "currency": .string(report.currency), "realizedPNL": optional(report.realizedPNL),
                "yield_": optional(report.yield), "yieldRedemptionDate": .int(report.yieldRedemptionDate)])]
        case .openOrderEnd:
            return [("openOrderEnd", [:])]
        case .position(let position):
            return [("position", [
                "account": .string(position.account), "conId": .int(position.contract.conId),
                "symbol": .string(position.contract.symbol), "secType": .string(position.contract.secType),
                "exchange": .string(position.contract.exchange), "currency": .string(position.contract.currency),
                "position": decimal(position.position), "avgCost": .double(position.averageCost)])]
        case .positionEnd:
            return [("positionEnd", [:])]
        case .accountSummary(let row):
            return [("accountSummary", ["reqId": .int(row.reqId), "account": .string(row.account),
                                        "tag": .string(row.tag), "value": .string(row.value),
                                        "currency": .string(row.currency)])]
        case .accountSummaryEnd(let reqId):
            return [("accountSummaryEnd", ["reqId": .int(reqId)])]
        case .accountValue(let value):
            return [("updateAccountValue", ["key": .string(value.key), "val": .string(value.value),
                                            "currency": .string(value.currency),
                                            "accountName": .string(value.account)])]
        case .portfolioValue(let value):
            return [("updatePortfolio", [
                "conId": .int(value.contract.conId), "symbol": .string(value.contract.symbol),
                "position": decimal(value.position), "marketPrice": .double(value.marketPrice),
                "marketValue": .double(value.marketValue), "averageCost": .double(value.averageCost),
                "unrealizedPNL": .double(value.unrealizedPNL), "realizedPNL": .double(value.realizedPNL),
                "accountName": .string(value.account)])]
        case .accountUpdateTime(let time):
            return [("updateAccountTime", ["timeStamp": .string(time)])]
        case .accountDownloadEnd(let account):
            return [("accountDownloadEnd", ["accountName": .string(account)])]
        case .realTimeBar(let bar):
            return [("realtimeBar", [
                "reqId": .int(bar.reqId), "time": .int(Int(bar.time)), "open": .double(bar.open),
                "high": .double(bar.high), "low": .double(bar.low), "close": .double(bar.close),
                "volume": decimal(bar.volume), "wap": decimal(bar.wap), "count": .int(bar.count)])]
        case .historicalData(let reqId, let bars):
            return bars.map { ("historicalData", bar(reqId, $0)) }
        case .historicalDataEnd(let reqId, let start, let end):
            return [("historicalDataEnd", ["reqId": .int(reqId), "start": .string(start), "end": .string(end)])]
        case .historicalDataUpdate(let reqId, let update):
            return [("historicalDataUpdate", bar(reqId, update))]
        case .marketDataType(let reqId, let type):
            return [("marketDataType", ["reqId": .int(reqId), "marketDataType": .int(type)])]
        case .contractDetails, .contractDetailsEnd, .completedOrder, .completedOrdersEnd, .skipped:
            return [("unmapped \(message)", [:])]
        }
    }
}

extension IBKRContract {
    func with(localSymbol: String, tradingClass: String) -> IBKRContract {
        var copy = self
        copy.localSymbol = localSymbol
        copy.tradingClass = tradingClass
        return copy
    }
}
