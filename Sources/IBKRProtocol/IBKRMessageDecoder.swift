/// Turns one frame into a typed message at server version 200. Unknown message ids become `.skipped`; a missing
/// or malformed field throws an error naming the message and the field. Extra trailing fields (a newer server)
/// are ignored.
public enum IBKRMessageDecoder {
    /// The incoming message names by id, for errors and logs.
    static func name(of id: Int) -> String {
        switch id {
        case 3: "orderStatus"
        case 4: "error"
        case 5: "openOrder"
        case 6: "updateAccountValue"
        case 7: "updatePortfolio"
        case 8: "updateAccountTime"
        case 9: "nextValidId"
        case 10: "contractDetails"
        case 11: "execDetails"
        case 15: "managedAccounts"
        case 17: "historicalData"
        case 49: "currentTime"
        case 50: "realtimeBar"
        case 52: "contractDetailsEnd"
        case 53: "openOrderEnd"
        case 54: "accountDownloadEnd"
        case 55: "execDetailsEnd"
        case 58: "marketDataType"
        case 59: "commissionAndFeesReport"
        case 61: "position"
        case 62: "positionEnd"
        case 63: "accountSummary"
        case 64: "accountSummaryEnd"
        case 90: "historicalDataUpdate"
        case 101: "completedOrder"
        case 102: "completedOrdersEnd"
        case 108: "historicalDataEnd"
        default: "message \(id)"
        }
    }

    /// Decodes one frame.
    public static func decode(_ frame: IBKRFrame) throws(IBKRProtocolError) -> IBKRIncomingMessage {
        var reader = IBKRFieldReader(payload: frame.payload, message: "message")
        let id = try reader.int("messageId")
        reader.message = name(of: id)
        switch id {
        case 3: return .orderStatus(try IBKROrderStatus(reader: &reader))
        case 4: return .error(try IBKRErrorMessage(reader: &reader))
        case 5: return .openOrder(try IBKROpenOrder(reader: &reader))
        case 6: return .accountValue(try IBKRAccountValue(reader: &reader))
        case 7: return .portfolioValue(try IBKRPortfolioValue(reader: &reader))
        case 8:
            try reader.skip("version")
            return .accountUpdateTime(try reader.string("timeStamp"))
        case 9:
            try reader.skip("version")
            return .nextValidId(try reader.int("orderId"))
        case 10: return .contractDetails(try IBKRContractDetails(reader: &reader))
        case 11: return .execution(try IBKRExecution(reader: &reader))
        case 15:
            try reader.skip("version")
            let list = try reader.string("accountsList")
            return .managedAccounts(list.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty })
        case 17:
            let reqId = try reader.int("reqId")
            let count = try reader.int("itemCount")
            var bars: [IBKRHistoricalBar] = []
            if count > 0 { bars.reserveCapacity(min(count, 4096)) }
            for _ in 0..<max(count, 0) { bars.append(try IBKRHistoricalBar(historyReader: &reader)) }
            return .historicalData(reqId: reqId, bars: bars)
        case 49:
            try reader.skip("version")
            return .currentTime(Int64(try reader.int("time")))
        case 50: return .realTimeBar(try IBKRRealTimeBar(reader: &reader))
        case 52:
            try reader.skip("version")
            return .contractDetailsEnd(reqId: try reader.int("reqId"))
        case 53: return .openOrderEnd
        case 54:
            try reader.skip("version")
            return .accountDownloadEnd(account: try reader.string("accountName"))
        case 55:
            try reader.skip("version")
            return .executionsEnd(reqId: try reader.int("reqId"))
        case 58:
            try reader.skip("version")
            let reqId = try reader.int("reqId")
            return .marketDataType(reqId: reqId, type: try reader.int("marketDataType"))
        case 59: return .commissionReport(try IBKRCommissionReport(reader: &reader))
        case 61: return .position(try IBKRPosition(reader: &reader))
        case 62: return .positionEnd
        case 63: return .accountSummary(try IBKRAccountSummaryRow(reader: &reader))
        case 64:
            try reader.skip("version")
            return .accountSummaryEnd(reqId: try reader.int("reqId"))
        case 90:
            let reqId = try reader.int("reqId")
            return .historicalDataUpdate(reqId: reqId, bar: try IBKRHistoricalBar(updateReader: &reader))
        case 101: return .completedOrder(try IBKRCompletedOrder(reader: &reader))
        case 102: return .completedOrdersEnd
        case 108:
            let reqId = try reader.int("reqId")
            let start = try reader.string("startDateStr")
            return .historicalDataEnd(reqId: reqId, start: start, end: try reader.string("endDateStr"))
        default:
            return .skipped(messageId: id)
        }
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    func trimmingSpaces() -> String {
        var slice = self[...]
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
