extension IBKRIncomingMessage {
    /// The framed bytes TWS sends for this message at server version 200 (length prefix included): the server's
    /// half of the protocol, for simulators and test servers. Field for field what the official client decodes
    /// (the server fixtures in `shared/ibkr/fixtures_v200.json` are the reference). Throws for `.skipped`, which
    /// has no content, and for text TWS could not send (a NUL inside a field).
    public func encoded() throws(IBKRProtocolError) -> [UInt8] {
        var writer = IBKRMessageWriter(messageId: messageId, request: IBKRMessageDecoder.name(of: messageId),
                                       capacity: messageId == 5 ? 1024 : 128)
        switch self {
        case .nextValidId(let orderId):
            writer.add(1)
            writer.add(orderId)
        case .managedAccounts(let accounts):
            writer.add(1)
            try writer.add(accounts.joined(separator: ","), field: "accountsList")
        case .error(let error):
            writer.add(error.reqId)
            writer.add(error.code)
            writer.addEscaped(error.message)
            writer.addEscaped(error.advancedOrderRejectJson)
            writer.add(Int(error.timeMilliseconds))
        case .currentTime(let time):
            writer.add(1)
            writer.add(Int(time))
        case .openOrder(let order):
            try IBKROrderMessageEncoder.writeOpenOrder(order, to: &writer)
        case .openOrderEnd, .positionEnd:
            writer.add(1)
        case .orderStatus(let status):
            writer.add(status.orderId)
            try writer.add(status.status, field: "status")
            writer.add(status.filled)
            writer.add(status.remaining)
            writer.addJava(status.averageFillPrice)
            writer.add(Int(status.permId))
            writer.add(status.parentId)
            writer.addJava(status.lastFillPrice)
            writer.add(status.clientId)
            try writer.add(status.whyHeld, field: "whyHeld")
            writer.addJavaOrZero(status.marketCapPrice)
        case .execution(let execution):
            try Self.write(execution, to: &writer)
        case .executionsEnd(let reqId), .accountSummaryEnd(let reqId), .contractDetailsEnd(let reqId):
            writer.add(1)
            writer.add(reqId)
        case .commissionReport(let report):
            writer.add(1)
            try writer.add(report.execId, field: "execId")
            writer.addJava(report.commission)
            try writer.add(report.currency, field: "currency")
            writer.addJava(report.realizedPNL)
            writer.addJava(report.yield)
            if report.yieldRedemptionDate == 0 { writer.addEmpty() } else { writer.add(report.yieldRedemptionDate) }
        case .position(let position):
            writer.add(3)
            try writer.add(position.account, field: "account")
            try Self.writeReportedContract(position.contract, primaryExchange: false, to: &writer)
            writer.add(position.position)
            writer.addJava(position.averageCost)
        case .accountSummary(let row):
            writer.add(1)
            writer.add(row.reqId)
            try writer.add(row.account, field: "account")
            try writer.add(row.tag, field: "tag")
            try writer.add(row.value, field: "value")
            try writer.add(row.currency, field: "currency")
        case .accountValue(let value):
            writer.add(2)
            try writer.add(value.key, field: "key")
            try writer.add(value.value, field: "value")
            try writer.add(value.currency, field: "currency")
            try writer.add(value.account, field: "accountName")
        case .portfolioValue(let value):
            writer.add(8)
            try Self.writeReportedContract(value.contract, primaryExchange: true, to: &writer)
            writer.add(value.position)
            writer.addJava(value.marketPrice)
            writer.addJava(value.marketValue)
            writer.addJava(value.averageCost)
            writer.addJava(value.unrealizedPNL)
            writer.addJava(value.realizedPNL)
            try writer.add(value.account, field: "accountName")
        case .accountUpdateTime(let time):
            writer.add(1)
            try writer.add(time, field: "timeStamp")
        case .accountDownloadEnd(let account):
            writer.add(1)
            try writer.add(account, field: "accountName")
        case .contractDetails(let details):
            try IBKROrderMessageEncoder.writeContractDetails(details, to: &writer)
        case .realTimeBar(let bar):
            writer.add(3)
            writer.add(bar.reqId)
            writer.add(Int(bar.time))
            for price in [bar.open, bar.high, bar.low, bar.close] { writer.addJava(price) }
            Self.add(bar.volume, to: &writer)
            Self.add(bar.wap, to: &writer)
            writer.add(bar.count)
        case .historicalData(let reqId, let bars):
            writer.add(reqId)
            writer.add(bars.count)
            for bar in bars {
                try writer.add(bar.date, field: "date")
                for price in [bar.open, bar.high, bar.low, bar.close] { writer.addJava(price) }
                Self.add(bar.volume, to: &writer)
                Self.add(bar.wap, to: &writer)
                writer.add(bar.barCount)
            }
        case .historicalDataEnd(let reqId, let start, let end):
            writer.add(reqId)
            try writer.add(start, field: "startDateStr")
            try writer.add(end, field: "endDateStr")
        case .historicalDataUpdate(let reqId, let bar):
            writer.add(reqId)
            writer.add(bar.barCount)
            try writer.add(bar.date, field: "date")
            for price in [bar.open, bar.close, bar.high, bar.low] { writer.addJava(price) }
            Self.add(bar.wap, to: &writer)
            Self.add(bar.volume, to: &writer)
        case .completedOrder(let order):
            try IBKROrderMessageEncoder.writeCompletedOrder(order, to: &writer)
        case .completedOrdersEnd:
            break
        case .marketDataType(let reqId, let type):
            writer.add(1)
            writer.add(reqId)
            writer.add(type)
        case .skipped(let id):
            throw .invalidRequest("message \(id)", field: "messageId",
                                  "is a skipped message: it has no content to send")
        }
        return writer.finish()
    }

    /// The incoming message id.
    public var messageId: Int {
        switch self {
        case .nextValidId: 9
        case .managedAccounts: 15
        case .error: 4
        case .currentTime: 49
        case .openOrder: 5
        case .openOrderEnd: 53
        case .orderStatus: 3
        case .execution: 11
        case .executionsEnd: 55
        case .commissionReport: 59
        case .position: 61
        case .positionEnd: 62
        case .accountSummary: 63
        case .accountSummaryEnd: 64
        case .accountValue: 6
        case .portfolioValue: 7
        case .accountUpdateTime: 8
        case .accountDownloadEnd: 54
        case .contractDetails: 10
        case .contractDetailsEnd: 52
        case .realTimeBar: 50
        case .historicalData: 17
        case .historicalDataEnd: 108
        case .historicalDataUpdate: 90
        case .completedOrder: 101
        case .completedOrdersEnd: 102
        case .marketDataType: 58
        case .skipped(let id): id
        }
    }

    private static func add(_ decimal: IBKRDecimal?, to writer: inout IBKRMessageWriter) {
        if let decimal { writer.add(decimal) } else { writer.addEmpty() }
    }

    /// The contract as `execDetails`, `position` and `updatePortfolio` report it (strike `0.0` when unset;
    /// `updatePortfolio` has the primary exchange where the others have the exchange).
    private static func writeReportedContract(_ contract: IBKRContract, primaryExchange: Bool,
                                              to writer: inout IBKRMessageWriter) throws(IBKRProtocolError) {
        writer.add(contract.conId)
        try writer.add(contract.symbol, field: "symbol")
        try writer.add(contract.secType, field: "secType")
        try writer.add(contract.lastTradeDateOrContractMonth, field: "lastTradeDateOrContractMonth")
        writer.addJava(contract.strike ?? 0)
        try writer.add(contract.right, field: "right")
        try writer.add(contract.multiplier, field: "multiplier")
        if primaryExchange {
            try writer.add(contract.primaryExchange, field: "primaryExchange")
        } else {
            try writer.add(contract.exchange, field: "exchange")
        }
        try writer.add(contract.currency, field: "currency")
        try writer.add(contract.localSymbol, field: "localSymbol")
        try writer.add(contract.tradingClass, field: "tradingClass")
    }

    private static func write(_ execution: IBKRExecution, to writer: inout IBKRMessageWriter)
        throws(IBKRProtocolError) {
        writer.add(execution.reqId)
        writer.add(execution.orderId)
        try writeReportedContract(execution.contract, primaryExchange: false, to: &writer)
        try writer.add(execution.execId, field: "execId")
        try writer.add(execution.time, field: "time")
        try writer.add(execution.account, field: "acctNumber")
        try writer.add(execution.exchange, field: "exchange")
        try writer.add(execution.side, field: "side")
        writer.add(execution.shares)
        writer.addJava(execution.price)
        writer.add(Int(execution.permId))
        writer.add(execution.clientId)
        writer.add(execution.liquidation)
        writer.add(execution.cumulativeQuantity)
        writer.addJava(execution.averagePrice)
        try writer.add(execution.orderRef, field: "orderRef")
        try writer.add(execution.evRule, field: "evRule")
        if let multiplier = execution.evMultiplier { writer.addJava(multiplier) } else { writer.addEmpty() }
        try writer.add(execution.modelCode, field: "modelCode")
        writer.add(execution.lastLiquidity)
        writer.add(execution.pendingPriceRevision)
        try writer.add(execution.submitter, field: "submitter")
    }
}
