/// A `commissionAndFeesReport` message (59): the commission of one fill, linked by `execId`.
public struct IBKRCommissionReport: Sendable, Hashable {
    /// The fill it belongs to.
    public var execId: String
    /// Commission and fees.
    public var commission: Double
    /// Their currency.
    public var currency: String
    /// Realised P&L of the fill (nil when TWS leaves it unset).
    public var realizedPNL: Double?
    /// Yield (bonds; nil when unset).
    public var yield: Double?
    /// Yield redemption date `yyyymmdd` (0 when none).
    public var yieldRedemptionDate: Int

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        try reader.skip("version")
        execId = try reader.string("execId")
        commission = try reader.double("commissionAndFees")
        currency = try reader.string("currency")
        realizedPNL = try reader.optionalDouble("realizedPNL")
        yield = try reader.optionalDouble("yield")
        yieldRedemptionDate = try reader.int("yieldRedemptionDate")
    }
}

extension IBKRCommissionReport {
    /// A commission report for the execution `execId`.
    public init(execId: String, commission: Double, currency: String, realizedPNL: Double? = nil,
                yield: Double? = nil, yieldRedemptionDate: Int = 0) {
        self.execId = execId
        self.commission = commission
        self.currency = currency
        self.realizedPNL = realizedPNL
        self.yield = yield
        self.yieldRedemptionDate = yieldRedemptionDate
    }
}
