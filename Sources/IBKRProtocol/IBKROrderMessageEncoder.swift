/// Writes the long order messages (`openOrder`, `completedOrder`) and `contractDetails` as TWS sends them at server
/// version 200 for a plain stock order: the fields this library models come from the values, every other field is
/// what TWS writes for such an order (the official client's fixture for `openOrder`, and the `completedOrder`
/// field list its decoder consumed exactly). Conditional blocks (combo legs, scale, hedge, algo, conditions) are
/// never written; the delta-neutral block is, because TWS sends `None` as the delta-neutral order type.
enum IBKROrderMessageEncoder {
    /// `openOrder` after its id: 155 fields, slots of the values below left empty.
    private static let openOrderTemplate: [String] = [
        "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "0",
        "0", "", "", "", "", "", "", "", "", "", "", "0", "", "-1", "0", "", "", "", "", "", "2147483647", "0", "0",
        "0", "", "", "0", "0", "", "", "0", "", "0", "None", "", "0", "", "", "", "?", "0", "0", "", "0", "0", "",
        "", "", "", "", "0", "0", "0", "2147483647", "2147483647", "", "", "0", "", "IB", "0", "0", "", "0", "", "",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "", "1.7976931348623157E308", "1.7976931348623157E308", "", "",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "", "", "0", "", "0", "0", "0", "None", "1.7976931348623157E308",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "0", "", "", "", "0", "0", "0", "0", "0", "2147483647", "2147483647", "0",
        "2147483647", "2147483647", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "",
        "0", "", "0", "", "2147483647", "", ""
    ]

    /// `completedOrder` after its id: 102 fields, slots of the values below left empty.
    private static let completedOrderTemplate: [String] = [
        "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "0", "0", "0",
        "", "", "", "", "", "", "", "", "", "0", "", "-1", "", "", "", "", "", "", "0", "0", "", "0", "0", "", "0",
        "None", "", "0", "0", "0", "", "0", "0", "", "", "", "0", "0", "0", "", "", "", "", "", "IB", "0", "0", "",
        "0", "", "0", "0", "0", "", "", "", "0", "0", "", "", "0", "0", "", "0", "0", "", "", "", "", "", "", "", "",
        "", "0", ""
    ]

    /// The first fields of both order messages: contract, action … orderRef (22 fields from `start`).
    private static func fillTerms(_ terms: IBKROrderTerms, into fields: inout [String], at start: Int) {
        let contract = terms.contract
        let values = [String(contract.conId), contract.symbol, contract.secType, contract.lastTradeDateOrContractMonth,
                      zeroOrJava(contract.strike ?? 0), contract.right.isEmpty ? "?" : contract.right,
                      contract.multiplier, contract.exchange, contract.currency, contract.localSymbol,
                      contract.tradingClass, terms.action, terms.totalQuantity.description, terms.orderType,
                      zeroOrJava(terms.limitPrice ?? 0), zeroOrJava(terms.auxPrice ?? 0), terms.timeInForce,
                      terms.ocaGroup, terms.account, "", "0", terms.orderRef]
        fields.replaceSubrange(start..<(start + values.count), with: values)
    }

    private static func zeroOrJava(_ value: Double) -> String {
        value == 0 ? "0" : IBKRMessageWriter.javaText(value)
    }

    private static func write(_ fields: [String], to writer: inout IBKRMessageWriter) throws(IBKRProtocolError) {
        for (index, field) in fields.enumerated() { try writer.add(field, field: "field \(index + 1)") }
    }

    static func writeOpenOrder(_ order: IBKROpenOrder, to writer: inout IBKRMessageWriter) throws(IBKRProtocolError) {
        var fields = openOrderTemplate
        fields[0] = String(order.orderId)
        fillTerms(order.terms, into: &fields, at: 1)
        fields[23] = String(order.clientId)
        fields[24] = String(order.permId)
        fields[25] = order.outsideRegularTradingHours ? "1" : "0"
        fields[29] = "\(order.permId).0/\(order.terms.account)/\(order.terms.totalQuantity)"
        fields[52] = String(order.ocaType)
        fields[56] = String(order.parentId)
        fields[91] = order.whatIf ? "1" : "0"
        fields[92] = order.status
        fields[102] = IBKRMessageWriter.javaText(order.commission ?? Double.greatestFiniteMagnitude)
        fields[117] = order.rejectReason
        fields[119] = order.warningText
        fields[153] = order.submitter
        fields[154] = order.imbalanceOnly ? "1" : "0"
        fields[60] = order.deltaNeutralOrderType
        if order.deltaNeutralOrderType.isEmpty {
            fields.removeSubrange(62..<70)  // the delta-neutral contract and clearing fields
        }
        try write(fields, to: &writer)
    }

    static func writeCompletedOrder(_ order: IBKRCompletedOrder, to writer: inout IBKRMessageWriter)
        throws(IBKRProtocolError) {
        var fields = completedOrderTemplate
        fillTerms(order.terms, into: &fields, at: 0)
        fields[22] = String(order.permId)
        fields[75] = order.status
        fields[85] = order.filledQuantity?.description ?? ""
        fields[91] = String(order.parentPermId ?? 0)
        fields[92] = order.completedTime
        fields[93] = order.completedStatus
        fields[101] = order.submitter
        try write(fields, to: &writer)
    }

    static func writeContractDetails(_ details: IBKRContractDetails, to writer: inout IBKRMessageWriter)
        throws(IBKRProtocolError) {
        let contract = details.contract
        guard contract.secType != "FUND" else {
            throw .invalidRequest("contractDetails", field: "secType", "FUND details cannot be written")
        }
        writer.add(details.reqId)
        try writer.add(contract.symbol, field: "symbol")
        try writer.add(contract.secType, field: "secType")
        try writer.add(contract.lastTradeDateOrContractMonth, field: "lastTradeDateOrContractMonth")
        try writer.add(details.lastTradeDate, field: "lastTradeDate")
        writer.addJavaOrZero(contract.strike ?? 0)
        try writer.add(contract.right, field: "right")
        try writer.add(contract.exchange, field: "exchange")
        try writer.add(contract.currency, field: "currency")
        try writer.add(contract.localSymbol, field: "localSymbol")
        try writer.add(details.marketName, field: "marketName")
        try writer.add(contract.tradingClass, field: "tradingClass")
        writer.add(contract.conId)
        writer.addJava(details.minTick)
        try writer.add(contract.multiplier, field: "multiplier")
        try writer.add(details.orderTypes, field: "orderTypes")
        try writer.add(details.validExchanges, field: "validExchanges")
        writer.add(details.priceMagnifier)
        writer.add(details.underConId)
        writer.addEscaped(details.longName)
        try writer.add(contract.primaryExchange, field: "primaryExchange")
        try writer.add(details.contractMonth, field: "contractMonth")
        try writer.add(details.industry, field: "industry")
        try writer.add(details.category, field: "category")
        try writer.add(details.subcategory, field: "subcategory")
        try writer.add(details.timeZoneId, field: "timeZoneId")
        try writer.add(details.tradingHours, field: "tradingHours")
        try writer.add(details.liquidHours, field: "liquidHours")
        try writer.add(details.evRule, field: "evRule")
        if details.evMultiplier == 0 { writer.addEmpty() } else { writer.add(details.evMultiplier) }
        try writeTagValues(details.secIds, to: &writer)
        writer.add(details.aggGroup)
        try writer.add(details.underSymbol, field: "underSymbol")
        try writer.add(details.underSecType, field: "underSecType")
        try writer.add(details.marketRuleIds, field: "marketRuleIds")
        try writer.add(details.realExpirationDate, field: "realExpirationDate")
        try writer.add(details.stockType, field: "stockType")
        for size in [details.minSize, details.sizeIncrement, details.suggestedSizeIncrement] {
            if let size { writer.add(size) } else { writer.addEmpty() }
        }
        try writeTagValues(details.ineligibilityReasons, to: &writer)
    }

    private static func writeTagValues(_ list: [IBKRTagValue], to writer: inout IBKRMessageWriter)
        throws(IBKRProtocolError) {
        writer.add(list.count)
        for pair in list {
            try writer.add(pair.tag, field: "tag")
            try writer.add(pair.value, field: "value")
        }
    }
}
