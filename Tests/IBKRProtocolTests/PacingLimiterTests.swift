import IBKRProtocol
import Testing

@Suite struct PacingLimiterTests {
    static let aapl = IBKRContract.stock("AAPL")

    static func history(_ reqId: Int, end: String = "", whatToShow: String = "TRADES",
                        symbol: String = "AAPL") -> IBKRRequest {
        .reqHistoricalData(IBKRHistoricalDataRequest(reqId: reqId, contract: .stock(symbol), endDateTime: end,
                                                     duration: "1 D", barSize: "5 mins", whatToShow: whatToShow))
    }

    @Test func fortyFiveMessagesPerSlidingSecond() {
        var limiter = IBKRPacingLimiter()
        let start = Duration.seconds(100)
        for index in 0..<45 {
            let now = start + .milliseconds(index)
            #expect(limiter.decision(for: .reqCurrentTime, now: now) == .sendNow)
            limiter.recordSent(.reqCurrentTime, now: now)
        }
        let now = start + .milliseconds(45)
        #expect(limiter.decision(for: .reqCurrentTime, now: now) == .wait(until: start + .seconds(1)))
        // Once the first message leaves the window exactly one more may go.
        limiter.recordSent(.reqCurrentTime, now: start + .seconds(1))
        #expect(limiter.decision(for: .reqCurrentTime, now: start + .seconds(1))
            == .wait(until: start + .seconds(1) + .milliseconds(1)))
    }

    @Test func noIdenticalHistoricalRequestWithinFifteenSeconds() {
        var limiter = IBKRPacingLimiter()
        limiter.recordSent(Self.history(1), now: .seconds(0))
        limiter.historicalRequestFinished()
        // Same parameters, new request id: identical for TWS.
        #expect(limiter.decision(for: Self.history(2), now: .seconds(5)) == .wait(until: .seconds(15)))
        #expect(limiter.decision(for: Self.history(2), now: .seconds(15)) == .sendNow)
        #expect(limiter.decision(for: Self.history(3, end: "20250102 16:00:00 US/Eastern"), now: .seconds(5))
            == .sendNow)
    }

    @Test func atMostFiveForTheSameContractInTwoSeconds() {
        var limiter = IBKRPacingLimiter()
        for index in 0..<5 {
            let request = Self.history(index, end: "2025010\(index + 1) 16:00:00 US/Eastern")
            limiter.recordSent(request, now: .milliseconds(100 * index))
        }
        let sixth = Self.history(9, end: "20250109 16:00:00 US/Eastern")
        #expect(limiter.decision(for: sixth, now: .milliseconds(500)) == .wait(until: .seconds(2)))
        #expect(limiter.decision(for: Self.history(10, symbol: "MSFT"), now: .milliseconds(500)) == .sendNow)
    }

    @Test func sixtyHistoricalRequestsPerTenMinutesWithBidAskCountingDouble() {
        var limiter = IBKRPacingLimiter()
        for index in 0..<59 {
            let request = Self.history(index, symbol: "S\(index)")
            limiter.recordSent(request, now: .seconds(index))
            limiter.historicalRequestFinished()
        }
        #expect(limiter.decision(for: Self.history(100, symbol: "X"), now: .seconds(59)) == .sendNow)
        // BID_ASK needs two of the sixty slots: it waits for the first request to leave the 10-minute window.
        #expect(limiter.decision(for: Self.history(101, whatToShow: "BID_ASK", symbol: "X"), now: .seconds(59))
            == .wait(until: .seconds(600)))
    }

    @Test func atMostFiftyOpenHistoricalRequests() {
        var limits = IBKRPacingLimiter.Limits()
        limits.historicalRequestsPerLongWindow = 1000
        var limiter = IBKRPacingLimiter(limits: limits)
        for index in 0..<50 {
            limiter.recordSent(Self.history(index, symbol: "S\(index)"), now: .seconds(index))
        }
        #expect(limiter.openHistoricalRequests == 50)
        #expect(limiter.decision(for: Self.history(60, symbol: "X"), now: .seconds(100))
            == .waitForOpenHistoricalRequest)
        limiter.historicalRequestFinished()
        #expect(limiter.decision(for: Self.history(60, symbol: "X"), now: .seconds(100)) == .sendNow)
        limiter.connectionReset()
        #expect(limiter.openHistoricalRequests == 0)
    }

    @Test func sixtyNewRealTimeBarSubscriptionsPerTenMinutes() {
        var limiter = IBKRPacingLimiter()
        let bars = IBKRRequest.reqRealTimeBars(reqId: 1, contract: Self.aapl, whatToShow: "TRADES",
                                               useRegularTradingHours: true)
        for index in 0..<60 { limiter.recordSent(bars, now: .seconds(index)) }
        #expect(limiter.decision(for: bars, now: .seconds(60)) == .wait(until: .seconds(600)))
        #expect(limiter.decision(for: .reqPositions, now: .seconds(60)) == .sendNow)
    }
}
