/// Reads client requests at server version 200: the server's half of `IBKRRequest.encoded()`. Every request the
/// official client writes for the messages `IBKRRequest` models decodes to the value that encodes back to the same
/// bytes; other message ids give nil (a server answers them as unsupported). A missing or malformed field, or an
/// order this library cannot express (combo, algo, conditions, pegged, scale, hedge, delta-neutral), throws an
/// error naming the request and the field.
public enum IBKRRequestDecoder {
    /// Decodes one frame sent by a client; nil for a message id `IBKRRequest` does not model.
    public static func decode(_ frame: IBKRFrame) throws(IBKRProtocolError) -> IBKRRequest? {
        var reader = IBKRFieldReader(payload: frame.payload, message: "request")
        let id = try reader.int("messageId")
        switch id {
        case 71:
            reader.message = "startApi"
            try reader.skip("version")
            let clientId = try reader.int("clientId")
            let capabilities = reader.isAtEnd ? "" : try reader.string("optionalCapabilities")
            return .startApi(clientId: clientId, optionalCapabilities: capabilities)
        case 8: return .reqIds
        case 49: return .reqCurrentTime
        case 3:
            reader.message = "placeOrder"
            return try placeOrder(&reader)
        case 4:
            reader.message = "cancelOrder"
            return .cancelOrder(orderId: try reader.int("orderId"))
        case 58: return .reqGlobalCancel
        case 5: return .reqOpenOrders
        case 16: return .reqAllOpenOrders
        case 15:
            reader.message = "reqAutoOpenOrders"
            try reader.skip("version")
            return .reqAutoOpenOrders(autoBind: try reader.bool("autoBind"))
        case 99:
            reader.message = "reqCompletedOrders"
            return .reqCompletedOrders(apiOnly: try reader.bool("apiOnly"))
        case 7:
            reader.message = "reqExecutions"
            return try executions(&reader)
        case 61: return .reqPositions
        case 64: return .cancelPositions
        case 62:
            reader.message = "reqAccountSummary"
            try reader.skip("version")
            let reqId = try reader.int("reqId")
            let group = try reader.string("group")
            return .reqAccountSummary(reqId: reqId, group: group, tags: try reader.string("tags"))
        case 63, 51, 25:
            reader.message = id == 63 ? "cancelAccountSummary"
                : id == 51 ? "cancelRealTimeBars" : "cancelHistoricalData"
            try reader.skip("version")
            let reqId = try reader.int("reqId")
            return id == 63 ? .cancelAccountSummary(reqId: reqId)
                : id == 51 ? .cancelRealTimeBars(reqId: reqId) : .cancelHistoricalData(reqId: reqId)
        case 6:
            reader.message = "reqAccountUpdates"
            try reader.skip("version")
            let subscribe = try reader.bool("subscribe")
            return .reqAccountUpdates(subscribe: subscribe, account: try reader.string("acctCode"))
        case 17: return .reqManagedAccounts
        case 9:
            reader.message = "reqContractDetails"
            try reader.skip("version")
            let reqId = try reader.int("reqId")
            let contract = try IBKRContract(reader: &reader, primaryExchange: true)
            let includeExpired = try reader.bool("includeExpired")
            return .reqContractDetails(reqId: reqId, contract: contract, includeExpired: includeExpired)
        case 50:
            reader.message = "reqRealTimeBars"
            try reader.skip("version")
            let reqId = try reader.int("reqId")
            let contract = try IBKRContract(reader: &reader, primaryExchange: true)
            try reader.skip("barSize")
            let whatToShow = try reader.string("whatToShow")
            return .reqRealTimeBars(reqId: reqId, contract: contract, whatToShow: whatToShow,
                                    useRegularTradingHours: try reader.bool("useRTH"))
        case 20:
            reader.message = "reqHistoricalData"
            return .reqHistoricalData(try historical(&reader))
        case 59:
            reader.message = "reqMarketDataType"
            try reader.skip("version")
            return .reqMarketDataType(try reader.int("marketDataType"))
        default:
            return nil
        }
    }

    private static func executions(_ reader: inout IBKRFieldReader) throws(IBKRProtocolError) -> IBKRRequest {
        try reader.skip("version")
        let reqId = try reader.int("reqId")
        var filter = IBKRExecutionFilter(clientId: try reader.int("clientId"))
        filter.account = try reader.string("acctCode")
        filter.time = try reader.string("time")
        filter.symbol = try reader.string("symbol")
        filter.secType = try reader.string("secType")
        filter.exchange = try reader.string("exchange")
        filter.side = try reader.string("side")
        filter.lastNDays = try reader.optionalInt("lastNDays")
        let count = try reader.int("specificDatesCount")
        for _ in 0..<max(count, 0) { filter.specificDates.append(try reader.int("specificDate")) }
        return .reqExecutions(reqId: reqId, filter: filter)
    }

    private static func historical(_ reader: inout IBKRFieldReader) throws(IBKRProtocolError)
        -> IBKRHistoricalDataRequest {
        let reqId = try reader.int("reqId")
        let contract = try IBKRContract(reader: &reader, primaryExchange: true)
        let includeExpired = try reader.bool("includeExpired")
        let end = try reader.string("endDateTime")
        let barSize = try reader.string("barSize")
        let duration = try reader.string("duration")
        let useRTH = try reader.bool("useRTH")
        let whatToShow = try reader.string("whatToShow")
        let formatDate = try reader.int("formatDate")
        let keepUpToDate = try reader.bool("keepUpToDate")
        return IBKRHistoricalDataRequest(reqId: reqId, contract: contract, endDateTime: end, duration: duration,
                                         barSize: barSize, whatToShow: whatToShow, useRegularTradingHours: useRTH,
                                         formatDate: formatDate, keepUpToDate: keepUpToDate,
                                         includeExpired: includeExpired)
    }

    private static func unsupported(_ field: String, _ why: String) -> IBKRProtocolError {
        .invalidRequest("placeOrder", field: field, why)
    }

    /// The 118 fields of a plain stock order (the table in `IBKRPlaceOrderEncoder`), refusing the conditional
    /// blocks this library cannot express.
    private static func placeOrder(_ reader: inout IBKRFieldReader) throws(IBKRProtocolError) -> IBKRRequest {
        let orderId = try reader.int("orderId")
        let contract = try IBKRContract(reader: &reader, primaryExchange: true)
        guard contract.secType != "BAG" else { throw unsupported("secType", "BAG (combo) orders are not supported") }
        try reader.skip("secIdType")
        try reader.skip("secId")
        let actionText = try reader.string("action")
        guard let action = IBKROrder.Action(rawValue: actionText) else {
            throw unsupported("action", "is '\(actionText)', expected BUY or SELL")
        }
        let quantity = try reader.quantity("totalQuantity")
        let typeText = try reader.string("orderType")
        let limit = try reader.optionalDouble("lmtPrice")
        let aux = try reader.optionalDouble("auxPrice")
        let type: IBKROrder.OrderType
        if typeText == "MKT" {
            type = .market
        } else if typeText == "LMT", let limit {
            type = .limit(limit)
        } else if typeText == "STP", let aux {
            type = .stop(aux)
        } else if typeText == "STP LMT", let limit, let aux {
            type = .stopLimit(stop: aux, limit: limit)
        } else {
            let limitText = limit.map { String($0) } ?? "unset"
            let auxText = aux.map { String($0) } ?? "unset"
            throw unsupported("orderType", "'\(typeText)' with lmtPrice \(limitText) and auxPrice \(auxText) is not "
                              + "a supported order")
        }
        let tifText = try reader.string("tif")
        let timeInForce: IBKROrder.TimeInForce?
        if tifText.isEmpty {
            timeInForce = nil
        } else if let tif = IBKROrder.TimeInForce(rawValue: tifText) {
            timeInForce = tif
        } else {
            throw unsupported("tif", "'\(tifText)' is not supported (DAY, GTC, IOC)")
        }
        var order = IBKROrder(action: action, quantity: quantity, type: type, timeInForce: timeInForce)
        order.ocaGroup = try reader.string("ocaGroup")
        order.account = try reader.string("account")
        try IBKROrderFieldWalker.skip(&reader, ["openClose", "origin"])
        order.orderRef = try reader.string("orderRef")
        order.transmit = try reader.bool("transmit")
        order.parentId = try reader.int("parentId")
        try IBKROrderFieldWalker.skip(&reader, ["blockOrder", "sweepToFill", "displaySize", "triggerMethod"])
        order.outsideRegularTradingHours = try reader.bool("outsideRth")
        try IBKROrderFieldWalker.skip(&reader, ["hidden", "sharesAllocation", "discretionaryAmt", "goodAfterTime",
                                                "goodTillDate", "faGroup", "faMethod", "faPercentage", "modelCode",
                                                "shortSaleSlot", "designatedLocation", "exemptCode"])
        order.ocaType = IBKROrder.OCAType(rawValue: try reader.int("ocaType")) ?? .none
        try IBKROrderFieldWalker.skip(&reader, ["rule80A", "settlingFirm", "allOrNone", "minQty", "percentOffset",
                                                "eTradeOnly", "firmQuoteOnly", "nbboPriceCap", "auctionStrategy",
                                                "startingPrice", "stockRefPrice", "delta", "stockRangeLower",
                                                "stockRangeUpper", "overridePercentageConstraints", "volatility",
                                                "volatilityType"])
        guard try reader.string("deltaNeutralOrderType").isEmpty else {
            throw unsupported("deltaNeutralOrderType", "delta-neutral orders are not supported")
        }
        try IBKROrderFieldWalker.skip(&reader, ["deltaNeutralAuxPrice", "continuousUpdate", "referencePriceType",
                                                "trailStopPrice", "trailingPercent", "scaleInitLevelSize",
                                                "scaleSubsLevelSize"])
        if let increment = try reader.optionalDouble("scalePriceIncrement"), increment > 0 {
            throw unsupported("scalePriceIncrement", "scale orders are not supported")
        }
        try IBKROrderFieldWalker.skip(&reader, ["scaleTable", "activeStartTime", "activeStopTime"])
        guard try reader.string("hedgeType").isEmpty else { throw unsupported("hedgeType", "hedges are not supported") }
        try IBKROrderFieldWalker.skip(&reader, ["optOutSmartRouting", "clearingAccount", "clearingIntent", "notHeld"])
        guard !(try reader.bool("deltaNeutralContractPresent")) else {
            throw unsupported("deltaNeutralContract", "delta-neutral contracts are not supported")
        }
        guard try reader.string("algoStrategy").isEmpty else {
            throw unsupported("algoStrategy", "algo orders are not supported")
        }
        try IBKROrderFieldWalker.skip(&reader, ["algoId", "whatIf", "orderMiscOptions", "solicited", "randomizeSize",
                                                "randomizePrice"])
        guard try reader.int("conditionsCount") == 0 else {
            throw unsupported("conditionsCount", "conditional orders are not supported")
        }
        try IBKROrderFieldWalker.skip(&reader, ["adjustedOrderType", "triggerPrice", "lmtPriceOffset",
                                                "adjustedStopPrice", "adjustedStopLimitPrice",
                                                "adjustedTrailingAmount", "adjustableTrailingUnit", "extOperator",
                                                "softDollarTierName", "softDollarTierValue", "cashQty",
                                                "mifid2DecisionMaker", "mifid2DecisionAlgo", "mifid2ExecutionTrader",
                                                "mifid2ExecutionAlgo", "dontUseAutoPriceForHedge", "isOmsContainer",
                                                "discretionaryUpToLimitPrice", "usePriceMgmtAlgo", "duration",
                                                "postToAts", "autoCancelParent", "advancedErrorOverride",
                                                "manualOrderTime", "customerAccount", "professionalCustomer",
                                                "includeOvernight", "manualOrderIndicator", "imbalanceOnly"])
        return .placeOrder(orderId: orderId, contract: contract, order: order)
    }
}
