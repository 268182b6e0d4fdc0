/// Errors of the forecasting library, each naming what is wrong.
public struct ForecastError: Error, Sendable, CustomStringConvertible {
    private enum Code { case badFeature, notEnoughData, badRange, badModel }
    private let code: Code
    public let description: String

    static func badFeature(_ name: String) -> ForecastError {
        ForecastError(code: .badFeature, description: "feature '\(name)': unknown name (known: log_return, "
                      + "volatility_N, sma_ratio_N, rsi_N, macd_F_S_G, bollinger_b_N, volume_z_N, hour_of_day, "
                      + "day_of_week)")
    }

    static func notEnoughData(_ what: String) -> ForecastError {
        ForecastError(code: .notEnoughData, description: what)
    }

    static func badModel(_ what: String) -> ForecastError {
        ForecastError(code: .badModel, description: what)
    }

    static func badRange(_ what: String) -> ForecastError {
        ForecastError(code: .badRange, description: what)
    }
}
