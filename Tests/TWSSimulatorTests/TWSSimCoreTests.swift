import IBKRProtocol
import Testing
import TradingCore
@testable import TWSSimulator

/// The simulator core without sockets: requests in, messages out, the clock stepped by hand.
@Suite struct TWSSimCoreTests {
    static let hour: Int64 = 3600
    static let base: Int64 = 1_735_810_200  // 2025-01-02 09:30:00 UTC

    /// Hourly bars from (open, high, low, close), times in nanoseconds as the loader gives them.
    static func bars(_ ohlc: [(Double, Double, Double, Double)]) -> [Bar] {
        ohlc.enumerated().map { index, bar in
            Bar(time: (base + Int64(index) * hour) * Timestamps.nanosPerSecond, open: bar.0, high: bar.1, low: bar.2,
                close: bar.3, volume: 7200)
        }
    }

    static let standard = bars([(100, 101, 99, 100), (100, 102, 99, 101), (102, 104, 101, 103),
                                (103, 105, 98, 99), (99, 100, 95, 96), (96, 97, 94, 95)])

    /// A core at bar 1 with one connection (id 1, API client 7) past startApi.
    static func core(faults: [TWSSimFault] = [], bars: [Bar] = standard) throws -> TWSSimCore {
        var core = try TWSSimCore(configuration: TWSSimConfiguration(bars: bars, symbol: "NVDA", account: "DU1234567",
                                                                    startIndex: 1, faults: faults))
        core.connectionOpened(1)
        _ = core.handle(.startApi(clientId: 7), from: 1)
        return core
    }

    static func messages(_ outputs: [TWSSimOutput], to connection: Int = 1) -> [IBKRIncomingMessage] {
        outputs.compactMap {
            if case .send(let message, let target) = $0, target == connection { message } else { nil }
        }
    }

    static func executions(_ outputs: [TWSSimOutput]) -> [IBKRExecution] {
        messages(outputs).compactMap { if case .execution(let execution) = $0 { execution } else { nil } }
    }

    static func statuses(_ outputs: [TWSSimOutput]) -> [String] {
        messages(outputs).compactMap {
            if case .orderStatus(let status) = $0 { "\(status.orderId):\(status.status)" } else { nil }
        }
    }

    static func errorCodes(_ outputs: [TWSSimOutput]) -> [Int] {
        messages(outputs).compactMap { if case .error(let error) = $0 { error.code } else { nil } }
    }

    static func market(_ action: IBKROrder.Action, _ quantity: Int) -> IBKROrder {
        IBKROrder(action: action, quantity: IBKRDecimal(quantity), type: .market, orderRef: "co-\(quantity)")
    }

    @Test func startApiAnswersAccountsNextIdAndFarmNotices() throws {
        var core = try TWSSimCore(configuration: TWSSimConfiguration(bars: Self.standard, symbol: "NVDA",
                                                                    account: "DU1234567"))
        #expect(core.barIndex == 3)  // the middle of the file by default
        core.connectionOpened(1)
        let out = core.handle(.startApi(clientId: 7), from: 1)
        #expect(Array(Self.messages(out).prefix(2)) == [.managedAccounts(["DU1234567"]), .nextValidId(1)])
        #expect(Self.errorCodes(out) == [2104, 2106, 2158])
        #expect(core.handle(.reqCurrentTime, from: 1) == [.send(.currentTime(Self.base + 4 * Self.hour), to: 1)])
        core.connectionOpened(2)
        let refused = core.handle(.startApi(clientId: 7), from: 2)
        #expect(Self.messages(refused, to: 2).count == 1)
        #expect(refused.first == .send(core.error(-1, 326, "Unable to connect as the client id is already in use. "
                                                  + "Retry with a unique client id."), to: 2))
        #expect(refused.last == .disconnect(2))
    }

    @Test func aMarketOrderFillsAtTheNextOpenWithItsReports() throws {
        var core = try Self.core()
        let placed = core.handle(.placeOrder(orderId: 5, contract: .stock("NVDA"), order: Self.market(.buy, 10)),
                                 from: 1)
        #expect(Self.statuses(placed) == ["5:Submitted"])
        #expect(Self.executions(placed).isEmpty)
        let stepped = core.advance()
        let execution = try #require(Self.executions(stepped).first)
        #expect(execution.price == 102)  // bar 2's open
        #expect(execution.side == "BOT")
        #expect(execution.shares == 10)
        #expect(execution.orderRef == "co-10")
        #expect(execution.reqId == -1)
        #expect(Self.statuses(stepped) == ["5:Filled"])
        #expect(Self.messages(stepped).contains(.commissionReport(IBKRCommissionReport(
            execId: execution.execId, commission: 1, currency: "USD"))))
        #expect(core.handle(.reqIds, from: 1) == [.send(.nextValidId(6), to: 1)])

        _ = core.handle(.placeOrder(orderId: 6, contract: .stock("NVDA"), order: Self.market(.sell, 10)), from: 1)
        let second = try #require(Self.executions(core.advance()).first)
        #expect(second.price == 103)
        #expect(second.side == "SLD")
        #expect(second.execId != execution.execId)
        #expect(core.positionQuantity == 0)
    }

    @Test func limitAndStopOrdersFillAtTheirLevelOrAGapThroughOpen() throws {
        var core = try Self.core()
        _ = core.handle(.placeOrder(orderId: 1, contract: .stock("NVDA"),
                                    order: IBKROrder(action: .buy, quantity: 1, type: .limit(100))), from: 1)
        _ = core.handle(.placeOrder(orderId: 2, contract: .stock("NVDA"),
                                    order: IBKROrder(action: .sell, quantity: 1, type: .stop(97))), from: 1)
        // Bar 2 (102/104/101/103) reaches neither.
        #expect(Self.executions(core.advance()).isEmpty)
        // Bar 3 (103/105/98/99) reaches the limit at 100 but not the stop at 97 (its low is 98).
        #expect(Self.executions(core.advance()).map(\.price) == [100])
        // Bar 4 opens at 99, above the stop; its low 95 reaches it.
        #expect(Self.executions(core.advance()).map(\.price) == [97])

        var gap = try Self.core()
        _ = gap.handle(.placeOrder(orderId: 1, contract: .stock("NVDA"),
                                   order: IBKROrder(action: .sell, quantity: 1, type: .limit(101.5))), from: 1)
        #expect(Self.executions(gap.advance()).map(\.price) == [102])  // the open is better than the limit
    }

    @Test func aBracketIsHeldUntilTransmittedAndItsOCAChildrenCancelEachOther() throws {
        var core = try Self.core()
        let contract = IBKRContract.stock("NVDA")
        var parent = Self.market(.buy, 10)
        parent.transmit = false
        #expect(core.handle(.placeOrder(orderId: 1, contract: contract, order: parent), from: 1).isEmpty)
        let takeProfit = IBKROrder(action: .sell, quantity: 10, type: .limit(110), transmit: false, parentId: 1,
                                   ocaGroup: "b1", ocaType: .cancelWithBlock)
        #expect(core.handle(.placeOrder(orderId: 2, contract: contract, order: takeProfit), from: 1).isEmpty)
        let stop = IBKROrder(action: .sell, quantity: 10, type: .stop(101.5), parentId: 1, ocaGroup: "b1",
                             ocaType: .cancelWithBlock)
        let released = core.handle(.placeOrder(orderId: 3, contract: contract, order: stop), from: 1)
        #expect(Self.statuses(released) == ["1:Submitted", "2:PreSubmitted", "3:PreSubmitted"])
        // Bar 2 (102/104/101/103): the parent fills at 102; the stop at 101.5 is reached in the same bar.
        let stepped = core.advance()
        #expect(Self.executions(stepped).map(\.orderId) == [1, 3])
        #expect(Self.executions(stepped).map(\.price) == [102, 101.5])
        #expect(Self.statuses(stepped).contains("2:Cancelled"))
        #expect(core.positionQuantity == 0)
        let open = Self.messages(core.handle(.reqOpenOrders, from: 1))
        #expect(open == [.openOrderEnd])
        let completed = Self.messages(core.handle(.reqCompletedOrders(apiOnly: false), from: 1))
        #expect(completed.count == 4)
        #expect(completed.last == .completedOrdersEnd)
    }

    @Test func cancelAndGlobalCancel() throws {
        var core = try Self.core()
        let limit = IBKROrder(action: .buy, quantity: 1, type: .limit(50))
        _ = core.handle(.placeOrder(orderId: 1, contract: .stock("NVDA"), order: limit), from: 1)
        _ = core.handle(.placeOrder(orderId: 2, contract: .stock("NVDA"), order: limit), from: 1)
        let cancelled = core.handle(.cancelOrder(orderId: 1), from: 1)
        #expect(Self.statuses(cancelled) == ["1:Cancelled"])
        #expect(Self.errorCodes(cancelled) == [202])
        #expect(Self.errorCodes(core.handle(.cancelOrder(orderId: 1), from: 1)) == [10_147])
        #expect(Self.statuses(core.handle(.reqGlobalCancel, from: 1)) == ["2:Cancelled"])
        // A finished order's id cannot be used again.
        #expect(Self.errorCodes(core.handle(.placeOrder(orderId: 2, contract: .stock("NVDA"), order: limit),
                                            from: 1)) == [103])
        #expect(Self.errorCodes(core.handle(.placeOrder(orderId: 9, contract: .stock("AAPL"), order: limit),
                                            from: 1)) == [200])
    }

    @Test func fillsWhileDisconnectedAreFoundAgainThroughExecutions() throws {
        var core = try Self.core(faults: [TWSSimFault(trigger: .afterFill(1), action: .disconnect)])
        _ = core.handle(.placeOrder(orderId: 1, contract: .stock("NVDA"), order: Self.market(.buy, 3)), from: 1)
        _ = core.handle(.placeOrder(orderId: 2, contract: .stock("NVDA"), order: Self.market(.buy, 4)), from: 1)
        let stepped = core.advance()
        // The first fill's reports go out, then the disconnect; the second fill is booked but not sent.
        let disconnect = try #require(stepped.firstIndex(of: .disconnect(1)))
        #expect(Self.executions(Array(stepped[..<disconnect])).map(\.orderId) == [1])
        core.connectionClosed(1)
        core.connectionOpened(2)
        _ = core.handle(.startApi(clientId: 7), from: 2)
        let found = Self.messages(core.handle(.reqExecutions(reqId: 9, filter: IBKRExecutionFilter()), from: 2), to: 2)
        let executions = found.compactMap { if case .execution(let execution) = $0 { execution } else { nil } }
        #expect(executions.map(\.orderId) == [1, 2])
        #expect(executions.allSatisfy { $0.reqId == 9 })
        #expect(Set(executions.map(\.execId)).count == 2)
        #expect(found.last == .executionsEnd(reqId: 9))
        let positions = Self.messages(core.handle(.reqPositions, from: 2), to: 2)
        #expect(positions.count == 2)
        if case .position(let position) = positions.first { #expect(position.position == 7) }
    }

    @Test func scriptedErrorsRejectionsDuplicatesAndPacing() throws {
        var core = try Self.core(faults: [
            TWSSimFault(trigger: .atBar(1), action: .error1100), TWSSimFault(trigger: .atBar(2), action: .error1101),
            TWSSimFault(trigger: .atBar(1), action: .rejectNextOrder),
            TWSSimFault(trigger: .atBar(2), action: .duplicateId),
            TWSSimFault(trigger: .atBar(2), action: .pacingViolation),
        ])
        _ = core.handle(.reqRealTimeBars(reqId: 4, contract: .stock("NVDA"), whatToShow: "TRADES",
                                         useRegularTradingHours: false), from: 1)
        #expect(Self.errorCodes(core.advance()) == [1100])
        #expect(Self.errorCodes(core.handle(.placeOrder(orderId: 1, contract: .stock("NVDA"),
                                                        order: Self.market(.buy, 1)), from: 1)) == [201])
        let step2 = core.advance()
        #expect(Self.errorCodes(step2) == [1101])
        #expect(Self.messages(step2).contains { if case .realTimeBar = $0 { true } else { false } })
        // After 1101 the subscriptions are gone: the client must subscribe again.
        #expect(!Self.messages(core.advance()).contains { if case .realTimeBar = $0 { true } else { false } })
        #expect(Self.errorCodes(core.handle(.placeOrder(orderId: 2, contract: .stock("NVDA"),
                                                        order: Self.market(.buy, 1)), from: 1)) == [103])
        let history = IBKRHistoricalDataRequest(reqId: 8, contract: .stock("NVDA"), duration: "7200 S",
                                                barSize: "1 hour")
        #expect(Self.errorCodes(core.handle(.reqHistoricalData(history), from: 1)) == [162])
        #expect(Self.errorCodes(core.handle(.reqHistoricalData(history), from: 1)).isEmpty)
    }

    @Test func historyEndsAtTheClockAndKeepsUpToDate() throws {
        var core = try Self.core()
        let request = IBKRHistoricalDataRequest(reqId: 8, contract: .stock("NVDA"), duration: "7200 S",
                                                barSize: "1 hour", formatDate: 2, keepUpToDate: true)
        let answer = Self.messages(core.handle(.reqHistoricalData(request), from: 1))
        guard case .historicalData(8, let bars) = answer.first else {
            Issue.record("no history: \(answer)")
            return
        }
        #expect(bars.map(\.date) == [String(Self.base), String(Self.base + Self.hour)])
        #expect(bars.map(\.close) == [100, 101])
        #expect(answer.last == .historicalDataEnd(reqId: 8, start: "20250102 09:30:00 UTC",
                                                  end: "20250102 11:30:00 UTC"))
        let update = Self.messages(core.advance())
        guard case .historicalDataUpdate(8, let bar) = update.first else {
            Issue.record("no update: \(update)")
            return
        }
        #expect(bar.date == "20250102 11:30:00 UTC")
        #expect(bar.close == 103)
        _ = core.handle(.cancelHistoricalData(reqId: 8), from: 1)
        #expect(Self.messages(core.advance()).isEmpty)

        let twoHours = IBKRHistoricalDataRequest(reqId: 9, contract: .stock("NVDA"), duration: "1 D",
                                                 barSize: "2 hours")
        guard case .historicalData(9, let merged) = Self.messages(core.handle(.reqHistoricalData(twoHours),
                                                                              from: 1)).first else {
            Issue.record("no two-hour history")
            return
        }
        // The clock is at bar 3: bars 0–1 and 2–3, grouped on absolute indices.
        #expect(merged.map(\.high) == [102, 105])
        #expect(Self.errorCodes(core.handle(.reqHistoricalData(IBKRHistoricalDataRequest(
            reqId: 10, contract: .stock("NVDA"), duration: "1 D", barSize: "30 mins")), from: 1)) == [162])
    }

    @Test func realTimeBarsFollowTheBarsPathAndAddUpToIt() throws {
        var core = try Self.core()
        _ = core.handle(.reqRealTimeBars(reqId: 4, contract: .stock("NVDA"), whatToShow: "TRADES",
                                         useRegularTradingHours: false), from: 1)
        let bars = Self.messages(core.advance()).compactMap { if case .realTimeBar(let bar) = $0 { bar } else { nil } }
        #expect(bars.count == 720)
        #expect(bars.first?.open == 102)
        #expect(bars.last?.close == 103)
        #expect(bars.map(\.high).max() == 104)
        #expect(bars.map(\.low).min() == 101)
        #expect(bars.first?.time == Self.base + 2 * Self.hour)
        #expect(bars.reduce(0) { $0 + ($1.volume?.doubleValue ?? 0) } == 7200)
        for (previous, next) in zip(bars, bars.dropFirst()) { #expect(previous.close == next.open) }
    }

    @Test func accountSummaryFollowsTheFills() throws {
        var core = try Self.core()
        _ = core.handle(.placeOrder(orderId: 1, contract: .stock("NVDA"), order: Self.market(.buy, 100)), from: 1)
        _ = core.advance()
        let rows = Self.messages(core.handle(.reqAccountSummary(reqId: 3, group: "All",
                                                                tags: "NetLiquidation,TotalCashValue"), from: 1))
        // Bought 100 at 102 with 1.00 commission; the last close is 103.
        #expect(rows == [
            .accountSummary(IBKRAccountSummaryRow(reqId: 3, account: "DU1234567", tag: "NetLiquidation",
                                                  value: "1000099.00", currency: "USD")),
            .accountSummary(IBKRAccountSummaryRow(reqId: 3, account: "DU1234567", tag: "TotalCashValue",
                                                  value: "989799.00", currency: "USD")),
            .accountSummaryEnd(reqId: 3),
        ])
    }

    @Test func theScriptIsReadAndItsMistakesNamed() throws {
        let faults = try TWSSimScript.parse("- at_bar: 3\n  action: error_1100\n"
                                                + "- after_fill: 1\n  action: disconnect\n",
                                            file: "faults.yaml")
        #expect(faults == [TWSSimFault(trigger: .atBar(3), action: .error1100),
                           TWSSimFault(trigger: .afterFill(1), action: .disconnect)])
        do {
            _ = try TWSSimScript.parse("- at_bar: 3\n  action: explode\n", file: "faults.yaml")
            Issue.record("an unknown action was accepted")
        } catch {
            #expect(error.description.contains("faults.yaml: entry 1"))
            #expect(error.description.contains("explode"))
        }
        #expect(throws: TWSSimError.self) {
            try TWSSimScript.parse("- at_bar: 3\n  after_fill: 1\n  action: disconnect\n", file: "f")
        }
    }

    @Test func timesAreWrittenAndReadInUTC() {
        #expect(TWSSimTime.text(Self.base) == "20250102 09:30:00 UTC")
        #expect(TWSSimTime.parse("20250102 09:30:00 UTC") == Self.base)
        #expect(TWSSimTime.parse("20250102-09:30:00") == Self.base)
        #expect(TWSSimTime.parse("20250102 09:30:00 US/Eastern") == nil)
    }
}
