/// Parameters of a strategy, as named in the `strategy:` section of a backtest config.
public struct StrategySettings: Sendable, Hashable {
    /// `threshold` or `sma_filter`.
    public var name: String
    public var entryThreshold: Double
    public var exitThreshold: Double
    public var allowShort: Bool
    public var shortEntryThreshold: Double
    public var shortExitThreshold: Double
    /// Stop-loss distance as a fraction of the entry price (0.02 = 2 %); nil = none.
    public var stopLoss: Double?
    /// Take-profit distance as a fraction of the entry price; nil = none.
    public var takeProfit: Double?
    public var size: PositionSize
    /// SMA period used by indicator strategies (`sma_filter`).
    public var smaPeriod: Int

    public init(name: String = "threshold", entryThreshold: Double = 0.001, exitThreshold: Double = 0.0,
                allowShort: Bool = false, shortEntryThreshold: Double = -0.001, shortExitThreshold: Double = 0.0,
                stopLoss: Double? = nil, takeProfit: Double? = nil, size: PositionSize = .fraction(1.0),
                smaPeriod: Int = 50) {
        self.name = name
        self.entryThreshold = entryThreshold
        self.exitThreshold = exitThreshold
        self.allowShort = allowShort
        self.shortEntryThreshold = shortEntryThreshold
        self.shortExitThreshold = shortExitThreshold
        self.stopLoss = stopLoss
        self.takeProfit = takeProfit
        self.size = size
        self.smaPeriod = smaPeriod
    }
}

/// Costs, risk limits and accounting options of the execution model.
public struct ExecutionSettings: Sendable, Hashable {
    public var initialCapital: Double
    /// Fixed cost charged on every fill (entry and exit), in account currency.
    public var perTradeCost: Double
    /// Slippage in basis points, applied against the trader on every fill price.
    public var slippageBps: Double
    /// Daily loss cap as a fraction of the equity at the start of the trading day; nil = none.
    public var dailyLossCap: Double?
    /// Maximum gross notional / equity at entry; an entry above it is rejected.
    public var maxLeverage: Double
    /// Close a position still open after the last bar at the last Close (otherwise it is only marked).
    public var closeAtEnd: Bool

    public init(initialCapital: Double = 100_000, perTradeCost: Double = 0, slippageBps: Double = 0,
                dailyLossCap: Double? = nil, maxLeverage: Double = 1, closeAtEnd: Bool = false) {
        self.initialCapital = initialCapital
        self.perTradeCost = perTradeCost
        self.slippageBps = slippageBps
        self.dailyLossCap = dailyLossCap
        self.maxLeverage = maxLeverage
        self.closeAtEnd = closeAtEnd
    }
}

/// A closed round trip.
public struct Trade: Sendable, Hashable {
    public var entryTime: Int64
    public var entryPrice: Double
    public var exitTime: Int64
    public var exitPrice: Double
    /// `.long` or `.short`.
    public var side: Direction
    /// Units held (positive).
    public var size: Double
    /// Net PnL after all costs of the round trip.
    public var pnl: Double
    /// Net PnL divided by the entry notional (`entryPrice * size`).
    public var returnFraction: Double
    /// Fixed costs of the round trip (entry + exit); slippage is inside the prices.
    public var costs: Double
    public var exitReason: FillReason

    public init(entryTime: Int64, entryPrice: Double, exitTime: Int64, exitPrice: Double, side: Direction,
                size: Double, pnl: Double, returnFraction: Double, costs: Double, exitReason: FillReason) {
        self.entryTime = entryTime
        self.entryPrice = entryPrice
        self.exitTime = exitTime
        self.exitPrice = exitPrice
        self.side = side
        self.size = size
        self.pnl = pnl
        self.returnFraction = returnFraction
        self.costs = costs
        self.exitReason = exitReason
    }
}

/// A position still open after the last bar, marked to the last Close.
public struct OpenPosition: Sendable, Hashable {
    public var entryTime: Int64
    public var entryPrice: Double
    public var side: Direction
    public var size: Double
    public var markPrice: Double
    public var unrealizedPnL: Double

    public init(entryTime: Int64, entryPrice: Double, side: Direction, size: Double, markPrice: Double,
                unrealizedPnL: Double) {
        self.entryTime = entryTime
        self.entryPrice = entryPrice
        self.side = side
        self.size = size
        self.markPrice = markPrice
        self.unrealizedPnL = unrealizedPnL
    }
}

/// Account state at every bar's close, column by column.
public struct EquityCurve: Sendable, Equatable {
    public var time: [Int64] = []
    public var equity: [Double] = []
    public var cash: [Double] = []
    /// Signed units held (negative when short).
    public var position: [Double] = []

    public init() {}
}

/// Everything one backtest produces; metrics and files are derived from it.
public struct BacktestResult: Sendable, Equatable {
    public var initialCapital: Double
    public var trades: [Trade]
    public var equity: EquityCurve
    public var openPosition: OpenPosition?
    /// Entries refused because they would exceed `maxLeverage`.
    public var rejectedOrders: Int
    /// Bars with no prediction (the strategy held on those bars).
    public var barsWithoutPrediction: Int
    /// Days on which the daily loss cap fired.
    public var dailyCapHits: Int
    /// What the live risk rules denied or changed, when the run applied them (`risk_rules:`); nil otherwise.
    public var riskEvents: [RiskGate.Event]? = nil

    public init(initialCapital: Double, trades: [Trade] = [], equity: EquityCurve = EquityCurve(),
                openPosition: OpenPosition? = nil, rejectedOrders: Int = 0, barsWithoutPrediction: Int = 0,
                dailyCapHits: Int = 0) {
        self.initialCapital = initialCapital
        self.trades = trades
        self.equity = equity
        self.openPosition = openPosition
        self.rejectedOrders = rejectedOrders
        self.barsWithoutPrediction = barsWithoutPrediction
        self.dailyCapHits = dailyCapHits
    }
}
