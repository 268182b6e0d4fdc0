/// One line per executed bar for the live metrics log of a paper or live session: the bar's time, the signal
/// in force (the direction the last decision asked for), the position, the equity and the day's PnL.
public struct BarReport: Sendable, Equatable {
    public var time: Int64
    public var signal: Direction
    public var position: Double
    public var equity: Double
    /// Equity minus the equity at the end of the previous trading day (UTC date of the bar).
    public var dayPnL: Double
    public var halted: Bool

    public init(time: Int64, signal: Direction, position: Double, equity: Double, dayPnL: Double, halted: Bool) {
        self.time = time
        self.signal = signal
        self.position = position
        self.equity = equity
        self.dayPnL = dayPnL
        self.halted = halted
    }

    /// `2024-10-01T09:30:00  signal LONG   position 95  equity 100123.45  day +123.45`
    public var line: String {
        let signalText = signal.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)
        return "\(Timestamps.iso8601(time))  signal \(signalText)  position \(Self.number(position))"
            + "  equity \(Self.fixed(equity))  day \(dayPnL >= 0 ? "+" : "")\(Self.fixed(dayPnL))"
            + (halted ? "  HALTED" : "")
    }

    static func fixed(_ v: Double) -> String {
        let cents = (v * 100).rounded()
        let whole = Int64(cents / 100)
        let frac = Int64(abs(cents.truncatingRemainder(dividingBy: 100)))
        let sign = v < 0 && whole == 0 ? "-" : ""
        return "\(sign)\(whole)." + (frac < 10 ? "0" : "") + "\(frac)"
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int64(v)) : fixed(v)
    }
}
