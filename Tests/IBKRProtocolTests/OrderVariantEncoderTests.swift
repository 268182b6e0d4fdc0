import IBKRProtocol
import Testing

/// Orders the fixture file has no bytes for (stop, stop-limit, bracket, OCA, GTC, orderRef, account, fractional,
/// outside RTH) and the requests it lacks (reqCompletedOrders, reqContractDetails, a filled execution filter).
/// Each order's expectation is the fixture's market order with only the fields the brief's placeOrder table names
/// changed (field index 0 is the message id); the patched lists and the other field lists were checked once
/// against the official client's bytes.
@Suite struct OrderVariantEncoderTests {
    static let aapl = IBKRContract.stock("AAPL")

    /// The market-order fixture's fields with `patches` (field index → text) applied, framed.
    static func marketOrder(patched patches: [Int: String]) throws -> [UInt8] {
        let hex = try #require(Fixtures.file.client_messages["placeOrder_MKT"]).hex
        var fields = IBKRFrame(payload: Array(Fixtures.bytes(hex).dropFirst(4))).fields
        try #require(fields.count == 119)
        for (index, text) in patches { fields[index] = text }
        return Fixtures.framed(fields)
    }

    static func expect(_ request: IBKRRequest, encodes expected: [UInt8],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let actual = try request.encoded()
        #expect(Fixtures.readable(actual) == Fixtures.readable(expected), sourceLocation: sourceLocation)
    }

    static func place(_ orderId: Int, _ order: IBKROrder) -> IBKRRequest {
        .placeOrder(orderId: orderId, contract: aapl, order: order)
    }

    @Test func stopOrderGoodTillCancelledWithAccountAndOrderRef() throws {
        let order = IBKROrder(action: .sell, quantity: 10, type: .stop(180.5), timeInForce: .goodTillCancelled,
                              account: "DU1234567", orderRef: "co-42")
        try Self.expect(Self.place(1003, order), encodes: try Self.marketOrder(patched: [
            1: "1003", 16: "SELL", 18: "STP", 20: "180.5", 21: "GTC", 23: "DU1234567", 26: "co-42"]))
    }

    @Test func bracketParentAndOCAChildren() throws {
        let parent = IBKROrder(action: .buy, quantity: 10, type: .limit(185.25), timeInForce: .day,
                               account: "DU1234567", orderRef: "co-43", transmit: false)
        let takeProfit = IBKROrder(action: .sell, quantity: 10, type: .limit(190), timeInForce: .goodTillCancelled,
                                   account: "DU1234567", orderRef: "co-43-tp", transmit: false, parentId: 1004,
                                   ocaGroup: "oca-43", ocaType: .cancelWithBlock)
        let stopLoss = IBKROrder(action: .sell, quantity: 10, type: .stop(180), timeInForce: .goodTillCancelled,
                                 account: "DU1234567", orderRef: "co-43-sl", transmit: true, parentId: 1004,
                                 ocaGroup: "oca-43", ocaType: .cancelWithBlock)
        try Self.expect(Self.place(1004, parent), encodes: try Self.marketOrder(patched: [
            1: "1004", 18: "LMT", 19: "185.25", 21: "DAY", 23: "DU1234567", 26: "co-43", 27: "0"]))
        try Self.expect(Self.place(1005, takeProfit), encodes: try Self.marketOrder(patched: [
            1: "1005", 16: "SELL", 18: "LMT", 19: "190.0", 21: "GTC", 22: "oca-43", 23: "DU1234567",
            26: "co-43-tp", 27: "0", 28: "1004", 46: "1"]))
        try Self.expect(Self.place(1006, stopLoss), encodes: try Self.marketOrder(patched: [
            1: "1006", 16: "SELL", 18: "STP", 20: "180.0", 21: "GTC", 22: "oca-43", 23: "DU1234567",
            26: "co-43-sl", 27: "1", 28: "1004", 46: "1"]))
    }

    @Test func fractionalQuantityOutsideRegularHours() throws {
        let quantity = try #require(IBKRDecimal("10.5"))
        let order = IBKROrder(action: .buy, quantity: quantity, type: .limit(0.1), outsideRegularTradingHours: true)
        try Self.expect(Self.place(1007, order), encodes: try Self.marketOrder(patched: [
            1: "1007", 17: "10.5", 18: "LMT", 19: "0.1", 33: "1"]))
    }

    @Test func stopLimitSendsBothPrices() throws {
        let order = IBKROrder(action: .sell, quantity: 5, type: .stopLimit(stop: 99.5, limit: 99))
        try Self.expect(Self.place(7, order), encodes: try Self.marketOrder(patched: [
            1: "7", 16: "SELL", 17: "5", 18: "STP LMT", 19: "99.0", 20: "99.5"]))
    }

    @Test func completedOrdersAndContractDetails() throws {
        try Self.expect(.reqCompletedOrders(apiOnly: true), encodes: Fixtures.framed(["99", "1"]))
        try Self.expect(.reqCompletedOrders(apiOnly: false), encodes: Fixtures.framed(["99", "0"]))
        try Self.expect(.reqContractDetails(reqId: 6001, contract: Self.aapl), encodes: Fixtures.framed([
            "9", "8", "6001", "0", "AAPL", "STK", "", "", "", "", "SMART", "", "USD", "", "", "0", "", "", ""]))
        let pinned = IBKRContract.stock("AAPL", primaryExchange: "NASDAQ", conId: 265598)
        try Self.expect(.reqContractDetails(reqId: 6002, contract: pinned), encodes: Fixtures.framed([
            "9", "8", "6002", "265598", "AAPL", "STK", "", "", "", "", "SMART", "NASDAQ", "USD", "", "", "0", "", "",
            ""]))
    }

    @Test func executionFilterFields() throws {
        let filter = IBKRExecutionFilter(clientId: 1, account: "DU1234567", time: "20250102-09:00:00",
                                         symbol: "AAPL")
        try Self.expect(.reqExecutions(reqId: 5002, filter: filter), encodes: Fixtures.framed([
            "7", "3", "5002", "1", "DU1234567", "20250102-09:00:00", "AAPL", "", "", "", "2147483647", "0"]))
    }

    @Test func refusesWhatItCannotExpress() {
        let market = IBKROrder(action: .buy, quantity: 1, type: .market)
        #expect(throws: IBKRProtocolError.self) {
            try IBKRRequest.placeOrder(orderId: 1, contract: .stock("AA\u{0}PL"), order: market).encoded()
        }
        #expect(throws: IBKRProtocolError.self) {
            try Self.place(1, IBKROrder(action: .buy, quantity: 0, type: .market)).encoded()
        }
        #expect(throws: IBKRProtocolError.self) {
            try IBKRRequest.reqHistoricalData(IBKRHistoricalDataRequest(
                reqId: 1, contract: Self.aapl, endDateTime: "20250102 16:00:00 US/Eastern", duration: "1 D",
                barSize: "5 mins", keepUpToDate: true)).encoded()
        }
        var combo = Self.aapl
        combo.secType = "BAG"
        #expect(throws: IBKRProtocolError.self) {
            try IBKRRequest.placeOrder(orderId: 1, contract: combo, order: market).encoded()
        }
    }
}
