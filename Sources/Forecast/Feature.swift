/// One input feature of the forecasting model, computed causally: its value at bar t uses bars up to t only.
///
/// Names are stable strings, used in `hyperparameters.json` and model metadata: `log_return`, `volatility_N`,
/// `sma_ratio_N`, `rsi_N`, `macd_F_S_G` (three columns: line, signal, histogram), `bollinger_b_N`, `volume_z_N`,
/// `hour_of_day` (sin, cos), `day_of_week` (sin, cos).
public enum Feature: Sendable, Hashable {
    /// `ln(Close[t] / Close[t−1])`.
    case logReturn
    /// Sample standard deviation of the last `window` log returns.
    case volatility(window: Int)
    /// `Close[t] / SMA(window) − 1`.
    case smaRatio(window: Int)
    /// Wilder's RSI scaled to 0…1.
    case rsi(period: Int)
    /// MACD line, signal and histogram, each divided by the close.
    case macd(fast: Int, slow: Int, signal: Int)
    /// Bollinger %b with 2 standard deviations: `(Close − lower) / (upper − lower)`.
    case bollingerPercentB(window: Int)
    /// `(Volume − mean) / sd` over the last `window` volumes.
    case volumeZScore(window: Int)
    /// Hour of the bar's timestamp as (sin, cos) of the 24-hour cycle.
    case hourOfDay
    /// Day of the week as (sin, cos) of the 7-day cycle.
    case dayOfWeek

    /// The default feature list of a new model.
    public static let standard: [Feature] = [
        .logReturn, .volatility(window: 20), .smaRatio(window: 10), .smaRatio(window: 50), .rsi(period: 14),
        .macd(fast: 12, slow: 26, signal: 9), .bollingerPercentB(window: 20), .volumeZScore(window: 20),
        .hourOfDay, .dayOfWeek,
    ]

    public var name: String {
        switch self {
        case .logReturn: "log_return"
        case .volatility(let w): "volatility_\(w)"
        case .smaRatio(let w): "sma_ratio_\(w)"
        case .rsi(let p): "rsi_\(p)"
        case .macd(let f, let s, let g): "macd_\(f)_\(s)_\(g)"
        case .bollingerPercentB(let w): "bollinger_b_\(w)"
        case .volumeZScore(let w): "volume_z_\(w)"
        case .hourOfDay: "hour_of_day"
        case .dayOfWeek: "day_of_week"
        }
    }

    /// Parses a name written by `name`.
    public init(name: String) throws {
        let parts = name.split(separator: "_").map(String.init)
        func number(_ i: Int) throws -> Int {
            guard i < parts.count, let v = Int(parts[i]), v > 0 else {
                throw ForecastError.badFeature(name)
            }
            return v
        }
        switch name {
        case "log_return": self = .logReturn
        case "hour_of_day": self = .hourOfDay
        case "day_of_week": self = .dayOfWeek
        default:
            if name.hasPrefix("volatility_"), parts.count == 2 { self = .volatility(window: try number(1)) }
            else if name.hasPrefix("sma_ratio_"), parts.count == 3 { self = .smaRatio(window: try number(2)) }
            else if name.hasPrefix("rsi_"), parts.count == 2 { self = .rsi(period: try number(1)) }
            else if name.hasPrefix("macd_"), parts.count == 4 {
                self = .macd(fast: try number(1), slow: try number(2), signal: try number(3))
            } else if name.hasPrefix("bollinger_b_"), parts.count == 3 {
                self = .bollingerPercentB(window: try number(2))
            } else if name.hasPrefix("volume_z_"), parts.count == 3 { self = .volumeZScore(window: try number(2)) }
            else { throw ForecastError.badFeature(name) }
        }
    }

    /// Number of columns the feature produces.
    public var width: Int {
        switch self {
        case .macd: 3
        case .hourOfDay, .dayOfWeek: 2
        default: 1
        }
    }

    /// Bars needed before the first defined value (index of the first defined row).
    public var warmUp: Int {
        switch self {
        case .logReturn: 1
        case .volatility(let w): w
        case .smaRatio(let w): w - 1
        case .rsi(let p): p
        case .macd(_, let s, let g): s + g - 2
        case .bollingerPercentB(let w): w - 1
        case .volumeZScore(let w): w - 1
        case .hourOfDay, .dayOfWeek: 0
        }
    }
}
