import IBKRProtocol
import Testing

@Suite struct ErrorCodeTests {
    @Test func classifiesTheCodesTheConnectionActsOn() {
        let expected: [Int: IBKRErrorCode] = [
            2104: .information, 2106: .information, 2158: .information,
            2103: .warning, 2105: .warning, 2157: .warning, 2107: .warning, 2174: .warning, 399: .warning,
            1100: .connectivityLost, 1101: .connectivityRestoredDataLost, 1102: .connectivityRestored,
            1300: .socketPortReset, 502: .notConnected, 504: .notConnected, 2110: .notConnected,
            326: .clientIdInUse, 201: .orderRejected, 202: .orderCancelled, 103: .duplicateOrderId,
            100: .pacingViolation, 162: .historicalDataError, 200: .requestFailed, 10147: .requestFailed,
        ]
        for (code, kind) in expected {
            #expect(IBKRErrorCode(code: code) == kind, "code \(code)")
        }
    }

    @Test func benignAndTerminal() {
        #expect(IBKRErrorCode(code: 2104).isBenign)
        #expect(IBKRErrorCode(code: 2105).isBenign)
        #expect(!IBKRErrorCode(code: 1100).isBenign)
        #expect(IBKRErrorCode(code: 201).isTerminalForOrder)
        #expect(IBKRErrorCode(code: 202).isTerminalForOrder)
        #expect(!IBKRErrorCode(code: 399).isTerminalForOrder)
    }

    @Test func rejectionFixtureCarriesItsJson() throws {
        let fixture = try #require(Fixtures.file.server_messages["error_201_reject"])
        guard case .error(let error) = try IBKRMessageDecoder.decode(Fixtures.frame(fixture.hex)) else {
            Issue.record("not an error")
            return
        }
        #expect(error.kind == .orderRejected)
        #expect(error.reqId == 1002)
        #expect(error.advancedOrderRejectJson == #"{"rejectCode":"example"}"#)
    }
}
