import IBKRProtocol
import TradingCore

/// What the simulator serves: one symbol's bars, one paper account, the starting bar and the fault script.
public struct TWSSimConfiguration: Sendable {
    /// The bars the clock walks, oldest first (at least two), their times in nanoseconds as everywhere in TradeMesh.
    public var bars: [Bar]
    /// The symbol served (contract details, history, bars, orders).
    public var symbol: String
    /// The managed account, e.g. `DU1234567`.
    public var account: String
    /// The bar the clock starts at (completed when a client connects).
    public var startIndex: Int
    /// Scripted faults.
    public var faults: [TWSSimFault]
    /// The account's cash at the start.
    public var initialCash: Double
    /// Commission per share (IB's fixed pricing: 0.005), with `minimumCommission` per fill.
    public var commissionPerShare: Double
    /// The least commission of one fill.
    public var minimumCommission: Double
    /// The contract id reported for the symbol.
    public var conId: Int

    /// A configuration; `startIndex` nil starts in the middle of the bars.
    public init(bars: [Bar], symbol: String, account: String, startIndex: Int? = nil, faults: [TWSSimFault] = [],
                initialCash: Double = 1_000_000, commissionPerShare: Double = 0.005, minimumCommission: Double = 1,
                conId: Int = 100_001) {
        self.bars = bars
        self.symbol = symbol
        self.account = account
        self.startIndex = startIndex ?? bars.count / 2
        self.faults = faults
        self.initialCash = initialCash
        self.commissionPerShare = commissionPerShare
        self.minimumCommission = minimumCommission
        self.conId = conId
    }

    /// The index of the first bar at or after `time` (nanoseconds), or nil when every bar is earlier.
    public static func index(of time: Int64, in bars: [Bar]) -> Int? {
        bars.firstIndex { $0.time >= time }
    }

    /// The contract of the symbol, as the simulator reports it.
    var contract: IBKRContract {
        IBKRContract(conId: conId, symbol: symbol, secType: "STK", exchange: "SMART", primaryExchange: "NASDAQ",
                     currency: "USD", localSymbol: symbol, tradingClass: symbol)
    }
}
