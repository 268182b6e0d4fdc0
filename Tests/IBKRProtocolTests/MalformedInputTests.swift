import IBKRProtocol
import Testing

@Suite struct MalformedInputTests {
    static func decode(_ fields: [String]) throws(IBKRProtocolError) -> IBKRIncomingMessage {
        try IBKRMessageDecoder.decode(IBKRFrame(payload: Fixtures.payload(fields)))
    }

    static func error(_ fields: [String]) -> IBKRProtocolError? {
        do {
            _ = try decode(fields)
            return nil
        } catch {
            return error
        }
    }

    @Test func missingFieldNamesTheMessageAndField() throws {
        let error = try #require(Self.error(["3", "1001", "Filled", "10"]))
        #expect(error.description.contains("orderStatus"))
        #expect(error.description.contains("remaining"))
    }

    @Test func everyFixtureTruncatedByOneFieldFails() throws {
        for (name, fixture) in Fixtures.file.server_messages {
            let fields = Fixtures.frame(fixture.hex).fields
            guard fields.count > 2 else { continue }  // openOrderEnd/positionEnd: nothing to take away
            let shortened = Array(fields.dropLast())
            #expect(Self.error(shortened) != nil, "\(name) decoded without its last field")
        }
    }

    @Test func nonNumericNumberFieldsAreErrorsNotCrashes() throws {
        let notInt = try #require(Self.error(["9", "1", "10x1"]))
        #expect(notInt.description.contains("nextValidId"))
        #expect(notInt.description.contains("orderId"))
        #expect(notInt.description.contains("10x1"))
        let notDouble = try #require(Self.error(["3", "1", "Filled", "10", "0", "abc", "1", "0", "1", "1", "", "0"]))
        #expect(notDouble.description.contains("avgFillPrice"))
        let notDecimal = try #require(Self.error(["3", "1", "Filled", "1e3", "0", "1", "1", "0", "1", "1", "", "0"]))
        #expect(notDecimal.description.contains("filled"))
        #expect(Self.error(["9", "1", "99999999999999999999999"]) != nil)
        #expect(Self.error(["x9", "1", "1"]) != nil)
        #expect(Self.error(["50", "3", "1", "1", "nan", "1", "1", "1", "1", "1", "1"]) != nil)
    }

    @Test func frameWithoutTrailingNulIsMissingItsLastField() {
        var payload = Fixtures.payload(["9", "1", "1001"])
        payload.removeLast()
        #expect(throws: IBKRProtocolError.self) { try IBKRMessageDecoder.decode(IBKRFrame(payload: payload)) }
    }

    @Test func unknownIdsAreSkippedWithTheirId() throws {
        #expect(try Self.decode(["1", "6", "3001", "1", "185.5", "100", "0"]) == .skipped(messageId: 1))
        #expect(try Self.decode(["999"]) == .skipped(messageId: 999))
    }

    @Test func trailingExtraFieldsAreIgnored() throws {
        #expect(try Self.decode(["9", "1", "1001", "extra", "more"]) == .nextValidId(1001))
    }

    @Test func sentinelsAndJavaSpellings() throws {
        let report = try Self.decode(["59", "1", "x.1", "1.5", "USD", "1.7976931348623157E308", "Infinity", ""])
        guard case .commissionReport(let commission) = report else {
            Issue.record("not a commission report")
            return
        }
        #expect(commission.realizedPNL == nil)
        #expect(commission.yield == .infinity)
        #expect(commission.yieldRedemptionDate == 0)

        let bar = try Self.decode(["50", "3", "7", "1735828200", "1", "2", "0.5", "1.5", "", "9223372036854775807",
                                   "0"])
        guard case .realTimeBar(let realTime) = bar else {
            Issue.record("not a bar")
            return
        }
        #expect(realTime.volume == nil)
        #expect(realTime.wap == nil)
    }

    @Test func escapedErrorTextIsUnescaped() throws {
        let message = try Self.decode(["4", "-1", "2104", "Verbindung zur Marktdatenfarm OK:\\u00fcsfarm", "",
                                       "1735826400123"])
        guard case .error(let error) = message else {
            Issue.record("not an error")
            return
        }
        #expect(error.message == "Verbindung zur Marktdatenfarm OK:üsfarm")
        #expect(error.kind == .information)
    }

    @Test func managedAccountsDropsEmptyItems() throws {
        #expect(try Self.decode(["15", "1", "DU111,DU222,"]) == .managedAccounts(["DU111", "DU222"]))
    }

    @Test func orderWithConditionsIsRefusedClearly() throws {
        let fixture = try #require(Fixtures.file.server_messages["openOrder"])
        var fields = Fixtures.frame(fixture.hex).fields
        let names = ["messageId"] + fixture.fieldNames
        let index = try #require(names.firstIndex(of: "conditionsCount"))
        fields[index] = "1"
        let error = try #require(Self.error(fields))
        #expect(error.description.contains("condition"))
    }

    @Test func decimalNormalisation() {
        #expect(IBKRDecimal("10.0") == IBKRDecimal(10))
        #expect(IBKRDecimal("010.50")?.description == "10.5")
        #expect(IBKRDecimal("-0.0")?.description == "0")
        #expect(IBKRDecimal(".5")?.description == "0.5")
        #expect(IBKRDecimal("1e3") == nil)
        #expect(IBKRDecimal("") == nil)
        #expect(IBKRDecimal("1.2.3") == nil)
        #expect(IBKRDecimal(exactly: 12.0)?.description == "12")
        #expect(IBKRDecimal(exactly: 0.25)?.description == "0.25")
        #expect(IBKRDecimal(exactly: .nan) == nil)
    }
}
