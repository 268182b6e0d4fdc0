import IBKRProtocol
import Testing

/// Every client message in the fixture file, rebuilt with the Swift encoders, must equal the official client's
/// bytes. A fixture without a request here fails the suite.
@Suite struct EncoderFixtureTests {
    static let aapl = IBKRContract.stock("AAPL")
    static let tags = "NetLiquidation,TotalCashValue,BuyingPower"

    /// The Swift request for each fixture name (nil = the unframed handshake).
    static let requests: [String: IBKRRequest?] = [
        "handshake": nil,
        "startApi": .startApi(clientId: 1),
        "reqIds": .reqIds,
        "reqCurrentTime": .reqCurrentTime,
        "placeOrder_MKT": .placeOrder(orderId: 1001, contract: aapl,
                                      order: IBKROrder(action: .buy, quantity: 10, type: .market)),
        "placeOrder_LMT": .placeOrder(orderId: 1002, contract: aapl,
                                      order: IBKROrder(action: .buy, quantity: 10, type: .limit(150.25),
                                                       timeInForce: .day)),
        "cancelOrder": .cancelOrder(orderId: 1002),
        "reqOpenOrders": .reqOpenOrders,
        "reqAllOpenOrders": .reqAllOpenOrders,
        "reqAutoOpenOrders": .reqAutoOpenOrders(autoBind: true),
        "reqExecutions": .reqExecutions(reqId: 5001, filter: IBKRExecutionFilter()),
        "reqPositions": .reqPositions,
        "cancelPositions": .cancelPositions,
        "reqAccountSummary": .reqAccountSummary(reqId: 9001, group: "All", tags: tags),
        "cancelAccountSummary": .cancelAccountSummary(reqId: 9001),
        "reqAccountUpdates_sub": .reqAccountUpdates(subscribe: true, account: "DU1234567"),
        "reqAccountUpdates_unsub": .reqAccountUpdates(subscribe: false, account: "DU1234567"),
        "reqManagedAccts": .reqManagedAccounts,
        "reqRealTimeBars": .reqRealTimeBars(reqId: 3001, contract: aapl, whatToShow: "TRADES",
                                            useRegularTradingHours: false),
        "cancelRealTimeBars": .cancelRealTimeBars(reqId: 3001),
        "reqHistoricalData_keepUpToDate": .reqHistoricalData(IBKRHistoricalDataRequest(
            reqId: 4001, contract: aapl, duration: "1 D", barSize: "5 mins", whatToShow: "TRADES",
            useRegularTradingHours: true, formatDate: 1, keepUpToDate: true)),
        "reqHistoricalData_oneShot": .reqHistoricalData(IBKRHistoricalDataRequest(
            reqId: 4002, contract: aapl, endDateTime: "20250102 16:00:00 US/Eastern", duration: "2 D",
            barSize: "1 hour", whatToShow: "MIDPOINT", useRegularTradingHours: false, formatDate: 2)),
        "cancelHistoricalData": .cancelHistoricalData(reqId: 4001),
        "reqMarketDataType": .reqMarketDataType(3),
        "reqGlobalCancel": .reqGlobalCancel,
    ]

    @Test func theFixtureFileIsThereAndAtVersion200() {
        #expect(Fixtures.file.server_version == 200, "fixtures not found or not v200 at \(Fixtures.path)")
        #expect(Fixtures.file.client_messages.count >= 25)
    }

    @Test(arguments: Fixtures.file.client_messages.keys.sorted())
    func encoderMatchesFixture(name: String) throws {
        let expected = Fixtures.bytes(try #require(Fixtures.file.client_messages[name]).hex)
        let request = try #require(Self.requests[name], "fixture '\(name)' has no encoder test")
        let actual = try request.map { try $0.encoded() } ?? IBKRHandshake.clientHello()
        #expect(Fixtures.readable(actual) == Fixtures.readable(expected), "\(name)")
    }

    @Test func everyMappedRequestHasItsFixture() {
        // The requests the file lacks (reqCompletedOrders, reqContractDetails, the order variants) are covered by
        // OrderVariantEncoderTests; every name mapped here must be in the fixture file.
        let missing = Self.requests.keys.filter { Fixtures.file.client_messages[$0] == nil }
        #expect(missing.isEmpty, "requests mapped to fixtures that do not exist: \(missing)")
    }
}
