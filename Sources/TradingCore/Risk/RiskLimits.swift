import Yams

/// The rules every order passes before any broker sees it (`config/risk.yaml`). A nil limit is not enforced.
public struct RiskLimits: Sendable, Equatable {
    /// Halt when the day's loss (realised + unrealised change since the start of the day) reaches this, in currency.
    public var maxDailyLoss: Double?
    /// The same as a fraction of the equity at the start of the day.
    public var maxDailyLossFraction: Double?
    /// Enter REDUCING (only risk-reducing orders) once the day's loss reaches this share of the daily limit.
    public var reducingAt: Double?
    public var maxPositionUnits: Double?
    public var maxPositionNotional: Double?
    public var maxOrderUnits: Double?
    public var maxOrderNotional: Double?
    public var maxOrdersPerMinute: Int?
    /// Deny a limit order priced further than this fraction from the last mark.
    public var limitCollar: Double?
    /// On a daily-loss halt, also flatten every position.
    public var flattenOnHalt: Bool
    /// On the kill switch, also flatten every position.
    public var flattenOnKill: Bool

    public init(maxDailyLoss: Double? = nil, maxDailyLossFraction: Double? = nil, reducingAt: Double? = nil,
                maxPositionUnits: Double? = nil, maxPositionNotional: Double? = nil, maxOrderUnits: Double? = nil,
                maxOrderNotional: Double? = nil, maxOrdersPerMinute: Int? = nil, limitCollar: Double? = nil,
                flattenOnHalt: Bool = true, flattenOnKill: Bool = true) {
        self.maxDailyLoss = maxDailyLoss
        self.maxDailyLossFraction = maxDailyLossFraction
        self.reducingAt = reducingAt
        self.maxPositionUnits = maxPositionUnits
        self.maxPositionNotional = maxPositionNotional
        self.maxOrderUnits = maxOrderUnits
        self.maxOrderNotional = maxOrderNotional
        self.maxOrdersPerMinute = maxOrdersPerMinute
        self.limitCollar = limitCollar
        self.flattenOnHalt = flattenOnHalt
        self.flattenOnKill = flattenOnKill
    }

    static let keys = ["mode", "max_daily_loss", "max_daily_loss_fraction", "reducing_at", "max_position_units",
                       "max_position_notional", "max_order_units", "max_order_notional", "max_orders_per_minute",
                       "limit_collar", "flatten_on_halt", "flatten_on_kill"]

    /// Upper bounds of the keys that have one (every number must also be positive): the bound, whether it is
    /// allowed, and the range in words for the message.
    static let ranges: [String: (Double, Bool, String)] = [
        "max_daily_loss_fraction": (1, false, "a fraction of the day's starting equity in (0, 1)"),
        "reducing_at": (1, true, "a share of the daily loss limit in (0, 1]"),
        "limit_collar": (1, false, "a fraction of the last mark in (0, 1)"),
        "max_orders_per_minute": (1_000_000, true, "a whole number of orders from 1 to 1000000"),
    ]

    /// Parses `config/risk.yaml`; unknown keys, bad values and values out of range (`ranges`) are errors naming the
    /// file and the key. Returns the limits and the trading mode (`paper` unless the file says `live`).
    public static func parse(_ yaml: String, file: String) throws -> (limits: RiskLimits, mode: String) {
        guard let root = (try? Yams.compose(yaml: yaml)) ?? nil, let mapping = root.mapping else {
            throw RiskConfigError("\(file): expected a mapping of risk limits")
        }
        var l = RiskLimits()
        var mode = "paper"
        for (k, v) in mapping {
            let key = k.string ?? "?"
            let text = v.string ?? ""
            func number() throws -> Double? {
                if text == "null" || text == "~" || text.isEmpty { return nil }
                guard let d = Double(text), d.isFinite, d > 0 else {
                    throw RiskConfigError("\(file): \(key): expected a positive number or null, got '\(text)'")
                }
                if let (upper, inclusive, meaning) = ranges[key], inclusive ? d > upper : d >= upper {
                    throw RiskConfigError("\(file): \(key): expected \(meaning) or null, got '\(text)'")
                }
                return d
            }
            func flag() throws -> Bool {
                guard text == "true" || text == "false" else {
                    throw RiskConfigError("\(file): \(key): expected true or false, got '\(text)'")
                }
                return text == "true"
            }
            switch key {
            case "mode":
                guard text == "paper" || text == "live" else {
                    throw RiskConfigError("\(file): mode: expected paper or live, got '\(text)'")
                }
                mode = text
            case "max_daily_loss": l.maxDailyLoss = try number()
            case "max_daily_loss_fraction": l.maxDailyLossFraction = try number()
            case "reducing_at": l.reducingAt = try number()
            case "max_position_units": l.maxPositionUnits = try number()
            case "max_position_notional": l.maxPositionNotional = try number()
            case "max_order_units": l.maxOrderUnits = try number()
            case "max_order_notional": l.maxOrderNotional = try number()
            case "max_orders_per_minute":
                guard let n = try number() else { l.maxOrdersPerMinute = nil; break }
                guard n == n.rounded() else {
                    throw RiskConfigError("\(file): \(key): expected a whole number of orders, got '\(text)'")
                }
                l.maxOrdersPerMinute = Int(n)
            case "limit_collar": l.limitCollar = try number()
            case "flatten_on_halt": l.flattenOnHalt = try flag()
            case "flatten_on_kill": l.flattenOnKill = try flag()
            default:
                throw RiskConfigError("\(file): \(key): unknown key (known: \(keys.joined(separator: ", ")))")
            }
        }
        return (l, mode)
    }
}

/// A bad risk configuration.
public struct RiskConfigError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
