/// A TWS → client message at server version 200, decoded into typed values.
public enum IBKRIncomingMessage: Sendable, Hashable {
    /// `nextValidId` (9): the next usable order id.
    case nextValidId(Int)
    /// `managedAccounts` (15): the accounts of the login (empty items dropped).
    case managedAccounts([String])
    /// `error` (4).
    case error(IBKRErrorMessage)
    /// `currentTime` (49): epoch seconds.
    case currentTime(Int64)
    /// `openOrder` (5).
    case openOrder(IBKROpenOrder)
    /// `openOrderEnd` (53).
    case openOrderEnd
    /// `orderStatus` (3).
    case orderStatus(IBKROrderStatus)
    /// `execDetails` (11).
    case execution(IBKRExecution)
    /// `execDetailsEnd` (55).
    case executionsEnd(reqId: Int)
    /// `commissionAndFeesReport` (59).
    case commissionReport(IBKRCommissionReport)
    /// `position` (61).
    case position(IBKRPosition)
    /// `positionEnd` (62).
    case positionEnd
    /// `accountSummary` (63).
    case accountSummary(IBKRAccountSummaryRow)
    /// `accountSummaryEnd` (64).
    case accountSummaryEnd(reqId: Int)
    /// `updateAccountValue` (6).
    case accountValue(IBKRAccountValue)
    /// `updatePortfolio` (7).
    case portfolioValue(IBKRPortfolioValue)
    /// `updateAccountTime` (8): `hh:mm`.
    case accountUpdateTime(String)
    /// `accountDownloadEnd` (54).
    case accountDownloadEnd(account: String)
    /// `contractDetails` (10).
    case contractDetails(IBKRContractDetails)
    /// `contractDetailsEnd` (52).
    case contractDetailsEnd(reqId: Int)
    /// `realtimeBar` (50).
    case realTimeBar(IBKRRealTimeBar)
    /// `historicalData` (17): the bars of one answer.
    case historicalData(reqId: Int, bars: [IBKRHistoricalBar])
    /// `historicalDataEnd` (108): the range the bars covered.
    case historicalDataEnd(reqId: Int, start: String, end: String)
    /// `historicalDataUpdate` (90): the last bar of a keepUpToDate request, updated or new.
    case historicalDataUpdate(reqId: Int, bar: IBKRHistoricalBar)
    /// `completedOrder` (101).
    case completedOrder(IBKRCompletedOrder)
    /// `completedOrdersEnd` (102).
    case completedOrdersEnd
    /// `marketDataType` (58).
    case marketDataType(reqId: Int, type: Int)
    /// A message this client does not decode; skipped whole thanks to its length prefix.
    case skipped(messageId: Int)
}
