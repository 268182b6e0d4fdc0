import TradingCore
/// Writes a backtest's result files: `trades.csv`, `equity.csv` and `metrics.json` (formats: docs/backtester.md).
public enum ResultWriter {
    public static func tradesCSV(_ trades: [Trade]) -> String {
        var out = ""
        tradesCSV(trades, into: &out)
        return out
    }

    public static func tradesCSV<Sink: TextSink>(_ trades: [Trade], into out: inout Sink) {
        out.append("entry_time,entry_price,exit_time,exit_price,side,size,pnl,return,costs,exit_reason\n")
        for t in trades {
            out.append(Timestamps.iso8601(t.entryTime) + "," + num(t.entryPrice) + ","
                       + Timestamps.iso8601(t.exitTime) + "," + num(t.exitPrice) + "," + t.side.rawValue + ","
                       + num(t.size) + "," + num(t.pnl) + "," + num(t.returnFraction) + "," + num(t.costs) + ","
                       + t.exitReason.rawValue + "\n")
        }
    }

    /// `time,kind,rule,detail`: what the live risk rules denied (`denied`, the rule) or changed (`state`, the new
    /// trading state), in order. Details are quoted.
    public static func riskCSV<Sink: TextSink>(_ events: [RiskGate.Event], into out: inout Sink) {
        out.append("time,kind,rule,detail\n")
        for e in events {
            out.append(Timestamps.iso8601(e.time) + "," + e.kind + "," + e.rule + ",\""
                       + e.detail.replacingOccurrences(of: "\"", with: "\"\"") + "\"\n")
        }
    }

    public static func equityCSV(_ curve: EquityCurve, initialCapital: Double) -> String {
        var out = ""
        equityCSV(curve, initialCapital: initialCapital, into: &out)
        return out
    }

    public static func equityCSV<Sink: TextSink>(_ curve: EquityCurve, initialCapital: Double, into out: inout Sink) {
        out.append("Time,equity,cash,position,drawdown\n")
        var peak = initialCapital
        for i in 0..<curve.time.count {
            let e = curve.equity[i]
            peak = max(peak, e)
            out.append(Timestamps.iso8601(curve.time[i]) + "," + num(e) + "," + num(curve.cash[i]) + ","
                       + num(curve.position[i]) + "," + num(peak > 0 ? 1 - e / peak : 0) + "\n")
        }
    }

    /// `metrics.json`: the metrics, the open position, the time range and the count of skipped input rows.
    public static func metricsJSON(_ m: Metrics, openPosition: OpenPosition?, start: Int64?, end: Int64?,
                                   skippedRows: Int) -> String {
        var j = JSONWriter()
        j.object { j in
            j.field("final_equity", m.finalEquity)
            j.field("total_return", m.totalReturn)
            j.field("cagr", m.cagr)
            j.field("sharpe", m.sharpe)
            j.field("sortino", m.sortino)
            j.field("max_drawdown", m.maxDrawdown)
            j.field("max_drawdown_duration_bars", m.maxDrawdownDurationBars)
            j.field("num_trades", m.numTrades)
            j.field("win_rate", m.winRate)
            j.field("profit_factor", m.profitFactor)
            j.field("avg_trade_return", m.avgTradeReturn)
            j.field("exposure", m.exposure)
            j.field("rejected_orders", m.rejectedOrders)
            j.field("bars_without_prediction", m.barsWithoutPrediction)
            j.field("daily_cap_hits", m.dailyCapHits)
            j.field("bars", m.bars)
            j.field("bars_per_year", m.barsPerYear)
            if let p = openPosition {
                j.objectField("open_position") { j in
                    j.field("entry_time", Timestamps.iso8601(p.entryTime))
                    j.field("entry_price", p.entryPrice)
                    j.field("side", p.side.rawValue)
                    j.field("size", p.size)
                    j.field("mark_price", p.markPrice)
                    j.field("unrealized_pnl", p.unrealizedPnL)
                }
            } else {
                j.rawField("open_position", "null")
            }
            j.field("start", start.map(Timestamps.iso8601))
            j.field("end", end.map(Timestamps.iso8601))
            j.field("skipped_rows", skippedRows)
        }
        return j.text + "\n"
    }

    /// Shortest round-trip decimal form of a double (`JSONWriter.number`).
    @inline(__always)
    static func num(_ v: Double) -> String { JSONWriter.number(v) }
}
