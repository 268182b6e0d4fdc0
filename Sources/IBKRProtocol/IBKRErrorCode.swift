/// What an `error` message's code means for the connection layer, classified once here so that callers switch on
/// meaning rather than on numbers.
public enum IBKRErrorCode: Sendable, Hashable {
    /// A notice that all is well (2104/2106/2158 market-data, HMDS and sec-def farms OK, 2119 connecting, …).
    case information
    /// Something degraded that needs no action from the client (2103/2105/2157 farm broken, 2107/2108 inactive,
    /// other 2100–2199 codes, 399/404/110 order warnings: the order may still be live).
    case warning
    /// 1100: TWS lost its connection to IB. Freeze order entry and mark data stale.
    case connectivityLost
    /// 1101: connectivity restored but market data was lost: resubscribe bars and keepUpToDate requests.
    case connectivityRestoredDataLost
    /// 1102: connectivity restored with data maintained: nothing to resubscribe.
    case connectivityRestored
    /// 1300: TWS moved its API socket; reconnect on the port in the message.
    case socketPortReset
    /// 502/504 (and 2110): not connected to TWS, or TWS not connected to IB.
    case notConnected
    /// 326: the client id is already in use; TWS closes the socket.
    case clientIdInUse
    /// 201: the order was rejected (reason in the text, details in advancedOrderRejectJson). Terminal.
    case orderRejected
    /// 202: the order was cancelled (also the normal answer to our own cancel). Terminal.
    case orderCancelled
    /// 103: the order id was used before; take a fresh id above everything seen.
    case duplicateOrderId
    /// 100: too many messages per second; slow down (TWS disconnects if it goes on).
    case pacingViolation
    /// 162: historical-data error (pacing violation, no data); back off before asking again.
    case historicalDataError
    /// Any other code: the request it names failed.
    case requestFailed

    /// Classifies a TWS (or client-side) error code.
    public init(code: Int) {
        switch code {
        case 2104, 2106, 2158, 2119: self = .information
        case 2110: self = .notConnected
        case 2100...2199: self = .warning
        case 399, 404, 110, 105, 165, 321, 329, 434, 492, 10167: self = .warning
        case 1100: self = .connectivityLost
        case 1101: self = .connectivityRestoredDataLost
        case 1102: self = .connectivityRestored
        case 1300: self = .socketPortReset
        case 502, 504: self = .notConnected
        case 326: self = .clientIdInUse
        case 201: self = .orderRejected
        case 202: self = .orderCancelled
        case 103: self = .duplicateOrderId
        case 100: self = .pacingViolation
        case 162: self = .historicalDataError
        default: self = .requestFailed
        }
    }

    /// True for codes that need no action (information and warnings): log them and carry on.
    public var isBenign: Bool { self == .information || self == .warning }

    /// True for codes that end an order for good (rejected, cancelled).
    public var isTerminalForOrder: Bool { self == .orderRejected || self == .orderCancelled }
}
