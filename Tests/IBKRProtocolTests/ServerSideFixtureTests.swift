import IBKRProtocol
import Testing

/// The server's half of the protocol, checked against the same fixtures: every server message the official client
/// decoded is re-encoded from its decoded value to the fixture's bytes, and every client request the official
/// client wrote is read back into the request value that encodes to the same bytes.
@Suite struct ServerSideFixtureTests {
    @Test(arguments: Fixtures.file.server_messages.keys.sorted())
    func serverEncoderWritesTheFixtureBytes(name: String) throws {
        let fixture = try #require(Fixtures.file.server_messages[name])
        let message = try IBKRMessageDecoder.decode(Fixtures.frame(fixture.hex))
        #expect(Fixtures.readable(try message.encoded()) == Fixtures.readable(Fixtures.bytes(fixture.hex)),
                "\(name): decoded as \(message)")
    }

    @Test(arguments: [Fixtures.contractDetailsFields, Fixtures.completedOrderFields, ["52", "1", "6001"], ["102"]])
    func serverEncoderWritesMessagesTheOfficialDecoderConsumed(fields: [String]) throws {
        let message = try IBKRMessageDecoder.decode(IBKRFrame(payload: Fixtures.payload(fields)))
        #expect(Fixtures.readable(try message.encoded()) == Fixtures.readable(Fixtures.framed(fields)))
    }

    @Test(arguments: Fixtures.file.client_messages.keys.sorted().filter { $0 != "handshake" })
    func requestDecoderReadsTheFixtureBytes(name: String) throws {
        let fixture = try #require(Fixtures.file.client_messages[name])
        let bytes = Fixtures.bytes(fixture.hex)
        let request = try #require(try IBKRRequestDecoder.decode(Fixtures.frame(fixture.hex)),
                                   "\(name): not read as a request")
        #expect(Fixtures.readable(try request.encoded()) == Fixtures.readable(bytes), "\(name): read as \(request)")
    }

    @Test func requestDecoderReadsTheMarketOrderFixtureAsAMarketOrder() throws {
        let fixture = try #require(Fixtures.file.client_messages["placeOrder_MKT"])
        guard case .placeOrder(_, let contract, let order)? = try IBKRRequestDecoder.decode(
            Fixtures.frame(fixture.hex)) else {
            Issue.record("not read as placeOrder")
            return
        }
        #expect(contract.symbol == "AAPL")
        #expect(order.type == .market)
        #expect(order.transmit)
    }

    @Test(arguments: [
        IBKROrder(action: .sell, quantity: 5, type: .stop(99.5), timeInForce: .goodTillCancelled,
                  account: "DU1", orderRef: "co-1", transmit: false, parentId: 7, ocaGroup: "g",
                  ocaType: .cancelWithBlock),
        IBKROrder(action: .buy, quantity: IBKRDecimal("2.5")!, type: .stopLimit(stop: 10, limit: 10.5),
                  outsideRegularTradingHours: true),
        IBKROrder(action: .buy, quantity: 1, type: .limit(101.25), timeInForce: .immediateOrCancel),
    ])
    func orderVariantsRoundTrip(order: IBKROrder) throws {
        let request = IBKRRequest.placeOrder(orderId: 42, contract: .stock("MSFT"), order: order)
        let bytes = try request.encoded()
        #expect(try IBKRRequestDecoder.decode(IBKRFrame(payload: Array(bytes.dropFirst(4)))) == request)
    }

    @Test func unknownRequestIdsAreNotModelled() throws {
        #expect(try IBKRRequestDecoder.decode(IBKRFrame(payload: Fixtures.payload(["1", "11", "7"]))) == nil)
    }

    @Test func aConditionalOrderIsRefusedNamingTheField() throws {
        let fixture = try #require(Fixtures.file.client_messages["placeOrder_MKT"])
        var fields = Fixtures.frame(fixture.hex).fields
        fields[89] = "1"  // conditions count
        #expect(throws: IBKRProtocolError.self) {
            try IBKRRequestDecoder.decode(IBKRFrame(payload: Fixtures.payload(fields)))
        }
        do {
            _ = try IBKRRequestDecoder.decode(IBKRFrame(payload: Fixtures.payload(fields)))
        } catch {
            #expect(error.description.contains("conditionsCount"))
        }
    }

    @Test func clientHelloIsReadWholeOrNotAtAll() throws {
        let hello = Fixtures.bytes(try #require(Fixtures.file.client_messages["handshake"]).hex)
        #expect(try IBKRHandshake.clientHello(Array(hello.prefix(10))) == nil)
        let read = try #require(try IBKRHandshake.clientHello(hello + [0, 0]))
        #expect(read.minimumVersion == 100)
        #expect(read.maximumVersion == 200)
        #expect(read.byteCount == hello.count)
        var withOptions = Array("API".utf8) + [0, 0, 0, 0, 18] + Array("v100..226 +PACEAPI".utf8)
        #expect(try IBKRHandshake.clientHello(withOptions)?.options == "+PACEAPI")
        withOptions[0] = UInt8(ascii: "X")
        #expect(throws: IBKRProtocolError.self) { try IBKRHandshake.clientHello(withOptions) }
    }

    @Test func serverReplyIsReadByTheClientSide() throws {
        let bytes = IBKRHandshake.serverReplyBytes(serverVersion: 200, connectionTime: "20250102 09:30:00 UTC")
        var decoder = IBKRFrameDecoder()
        decoder.append(bytes)
        let frame = try #require(try decoder.nextFrame())
        let reply = try #require(try IBKRHandshake.serverReply(frame))
        #expect(reply.serverVersion == 200)
        #expect(reply.connectionTime == "20250102 09:30:00 UTC")
    }

    @Test func errorTextOutsideASCIIIsEscapedAsTWSDoes() throws {
        let message = IBKRIncomingMessage.error(IBKRErrorMessage(reqId: 1, code: 201, message: "é",
                                                                 timeMilliseconds: 5))
        let frame = IBKRFrame(payload: Array(try message.encoded().dropFirst(4)))
        #expect(frame.fields == ["4", "1", "201", "\\u00e9", "", "5"])
        #expect(try IBKRMessageDecoder.decode(frame) == message)
    }
}
