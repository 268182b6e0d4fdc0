import IBKRProtocol

/// TWS → client messages at server version 200 as field lists (message id first), in the field order of the protocol
/// brief and the official client's fixtures, and decoded with the protocol layer's decoder — the same bytes the
/// scripted server in the socket tests sends.
enum TWSMessages {
    static let account = "DU1234567"

    static func frame(_ fields: [String]) -> IBKRFrame { IBKRFrame(payload: fields.flatMap { Array($0.utf8) + [0] }) }

    static func decode(_ fields: [String]) throws -> IBKRIncomingMessage { try IBKRMessageDecoder.decode(frame(fields)) }

    static func nextValidId(_ id: Int) -> [String] { ["9", "1", String(id)] }

    static func orderStatus(_ orderId: Int, _ status: String, filled: String = "0", remaining: String = "10",
                            price: String = "0") -> [String] {
        ["3", String(orderId), status, filled, remaining, price, "1122334455", "0", price, "7", "", "0"]
    }

    static func execution(_ execId: String, orderId: Int, orderRef: String, symbol: String = "AAPL",
                          side: String = "BOT", shares: String = "10", price: String = "185.5", reqId: Int = -1,
                          account: String = account) -> [String] {
        ["11", String(reqId), String(orderId), "265598", symbol, "STK", "", "0.0", "", "", "ISLAND", "USD", symbol,
         "NMS", execId, "20250102 09:30:01 US/Eastern", account, "ISLAND", side, shares, price, "1122334455", "7",
         "0", shares, price, orderRef, "", "", "", "2", "0", ""]
    }

    static func commission(_ execId: String, _ amount: String = "1.0") -> [String] {
        ["59", "1", execId, amount, "USD", "1.7976931348623157E308", "1.7976931348623157E308", ""]
    }

    static func error(_ reqId: Int, _ code: Int, _ text: String) -> [String] {
        ["4", String(reqId), String(code), text, "", "1735826401000"]
    }

    static func position(_ symbol: String, _ quantity: String, account: String = account) -> [String] {
        ["61", "3", account, "265598", symbol, "STK", "", "0.0", "", "", "NASDAQ", "USD", symbol, "NMS", quantity,
         "185.5"]
    }

    static let positionEnd = ["62", "1"]
    static let openOrderEnd = ["53", "1"]
    static let completedOrdersEnd = ["102"]

    static func executionsEnd(_ reqId: Int) -> [String] { ["55", "1", String(reqId)] }

    /// The fixture's `openOrder` (a stock market order, 156 fields) with its id, symbol, side, quantity, orderRef
    /// and status replaced.
    static func openOrder(_ orderId: Int, orderRef: String, status: String = "PreSubmitted", symbol: String = "AAPL",
                          action: String = "BUY", quantity: String = "10") -> [String] {
        var fields = openOrderTemplate
        fields[1] = String(orderId)
        fields[3] = symbol
        fields[11] = symbol
        fields[13] = action
        fields[14] = quantity
        fields[23] = orderRef
        fields[openOrderTemplate.firstIndex(of: "PreSubmitted")!] = status
        return fields
    }

    /// The `completedOrder` of the protocol tests (102 fields) with its symbol, side, quantity, orderRef and status
    /// replaced.
    static func completedOrder(orderRef: String, status: String, symbol: String = "AAPL", action: String = "BUY",
                               quantity: String = "10", filled: String = "0") -> [String] {
        var fields = completedOrderTemplate
        fields[2] = symbol
        fields[10] = symbol
        fields[12] = action
        fields[13] = quantity
        fields[22] = orderRef
        fields[completedOrderTemplate.firstIndex(of: "Filled")!] = status
        fields[86] = filled
        return fields
    }

    static let openOrderTemplate = [
        "5", "1001", "265598", "AAPL", "STK", "", "0", "?", "", "SMART", "USD", "AAPL", "NMS", "BUY", "10", "MKT", "0",
        "0", "DAY", "", "DU1234567", "", "0", "", "1", "1122334455", "0", "0", "0", "", "1122334455.0/DU1234567/10", "",
        "", "", "", "", "", "", "", "0", "", "-1", "0", "", "", "", "", "", "2147483647", "0", "0", "0", "", "3", "0",
        "0", "", "0", "0", "", "0", "None", "", "0", "", "", "", "?", "0", "0", "", "0", "0", "", "", "", "", "", "0",
        "0", "0", "2147483647", "2147483647", "", "", "0", "", "IB", "0", "0", "", "0", "0", "PreSubmitted",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "",
        "", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "", "", "0", "", "0", "0", "0", "None", "1.7976931348623157E308",
        "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308",
        "1.7976931348623157E308", "0", "", "", "", "0", "0", "0", "0", "0", "2147483647", "2147483647", "0",
        "2147483647", "2147483647", "1.7976931348623157E308", "1.7976931348623157E308", "1.7976931348623157E308", "",
        "0", "", "0", "", "2147483647", "", "0",
    ]

    static let completedOrderTemplate = [
        "101", "265598", "AAPL", "STK", "", "0", "?", "", "SMART", "USD", "AAPL", "NMS", "BUY", "10", "LMT", "185.25",
        "0", "DAY", "", "DU1234567", "", "0", "co-43", "1122334456", "0", "0", "0", "", "", "", "", "", "", "", "", "",
        "0", "", "-1", "", "", "", "", "", "", "0", "0", "", "0", "0", "", "0", "None", "", "0", "0", "0", "", "0", "0",
        "", "", "", "0", "0", "0", "", "", "", "", "", "IB", "0", "0", "", "0", "Filled", "0", "0", "0", "", "", "",
        "0", "0", "", "10", "0", "0", "", "0", "0", "0", "20250102 09:30:01 US/Eastern", "Filled Size: 10", "", "", "",
        "", "", "", "0", "",
    ]
}
