import Testing
@testable import TradingRun

/// Ranking a sweep and the sweep page: what `Backtester sweep --maximize … --constraint …` prints and writes.
@Suite struct SweepTableTests {
    /// A small sweep.csv: two grid keys, and the metric columns the runner writes (most left empty).
    static let csv: String = {
        let metrics = SweepRunner.metricColumns
        func row(_ i: Int, _ a: String, _ b: String, sharpe: String, trades: String) -> String {
            var fields = [String](repeating: "", count: metrics.count)
            fields[metrics.firstIndex(of: "sharpe")!] = sharpe
            fields[metrics.firstIndex(of: "num_trades")!] = trades
            return "\(i),\(a),\(b)," + fields.joined(separator: ",")
        }
        return (["index,strategy.entry_threshold,strategy.size," + metrics.joined(separator: ",")] + [
            row(0, "0.01", "\"{units: 1, note: \"\"a,b\"\"}\"", sharpe: "0.5", trades: "40"),
            row(1, "0.01", "2", sharpe: "1.5", trades: "8"),
            row(2, "0.02", "\"{units: 1, note: \"\"a,b\"\"}\"", sharpe: "", trades: "0"),
            row(3, "0.02", "2", sharpe: "0.9", trades: "25"),
        ]).joined(separator: "\n") + "\n"
    }()

    @Test func readsQuotedFieldsAndTheGridKeys() throws {
        let table = try SweepTable(csv: Self.csv, file: "sweep.csv")
        #expect(table.parameters == ["strategy.entry_threshold", "strategy.size"])
        #expect(table.rows.count == 4)
        #expect(table.rows[0][2] == #"{units: 1, note: "a,b"}"#)
        #expect(table.rows.allSatisfy { $0.count == table.columns.count })
    }

    @Test func bestSetsRespectTheConstraintsAndPutEmptyMetricsLast() throws {
        let table = try SweepTable(csv: Self.csv, file: "sweep.csv")
        #expect(try table.best(maximizing: "sharpe", count: 10).map { $0[0] } == ["1", "3", "0", "2"])
        let enoughTrades = try SweepConstraint(parsing: "num_trades >= 20")
        #expect(try table.best(maximizing: "sharpe", constraints: [enoughTrades], count: 1).map { $0[0] } == ["3"])
        let none = try SweepConstraint(parsing: "num_trades > 1000")
        #expect(try table.best(maximizing: "sharpe", constraints: [none], count: 5).isEmpty)
    }

    @Test func badConstraintsAndUnknownColumnsAreErrorsThatSayWhatIsExpected() throws {
        let tight = try SweepConstraint(parsing: "max_drawdown<0.25")
        #expect(tight.column == "max_drawdown" && tight.op == .lt && tight.value == 0.25)
        #expect(tight.holds(0.2) && !tight.holds(0.25) && !tight.holds(nil))
        for text in ["sharpe", "sharpe >= x", ">= 3", "sharpe ~ 3"] {
            do {
                _ = try SweepConstraint(parsing: text)
                Issue.record("'\(text)' was accepted")
            } catch {
                #expect("\(error)".contains("expected 'column op number'"), "\(error)")
            }
        }
        let table = try SweepTable(csv: Self.csv, file: "sweep.csv")
        do {
            _ = try table.best(maximizing: "sharp", count: 1)
            Issue.record("an unknown metric was accepted")
        } catch {
            #expect("\(error)".contains("no column 'sharp' (known: strategy.entry_threshold"), "\(error)")
        }
        #expect(throws: ConfigError.self) { try SweepTable(csv: "a,b\n1,2\n", file: "x.csv") }
    }

    @Test func thePageHasTheBestSetsAndAHeatmapPerPairOfKeys() throws {
        let table = try SweepTable(csv: Self.csv, file: "sweep.csv")
        let html = try SweepPage(table: table, metric: "sharpe",
                                 constraints: [try SweepConstraint(parsing: "num_trades >= 5")], top: 2).html()
        #expect(html.contains("3 sets satisfy num_trades &gt;= 5"))
        // The best two, in order, with the metric to four significant figures.
        let best = try #require(html.range(of: "<table id=\"best\">"))
        let rows = html[best.upperBound...].components(separatedBy: "</table>")[0]
        #expect(rows.components(separatedBy: "<tr><td>").dropFirst().map { $0.prefix(1) } == ["1", "3"])
        #expect(rows.contains("<td>1.5</td>"))
        // One heatmap for the one pair; the cell the constraint leaves empty is a dash, the best is green.
        #expect(html.components(separatedBy: "<table class=\"heat\"").count == 2)
        #expect(html.contains("<td class=\"none\">–</td>"))
        #expect(html.contains("<td style=\"background:#4ade80\">1.5</td>"))
        #expect(html.contains("<td style=\"background:#f87171\">0.5</td>"))
        // Nothing fetched from anywhere, no script.
        #expect(!html.contains("http") && !html.contains("<script"))
    }

    @Test func coloursRunFromRedThroughYellowToGreen() {
        #expect(SweepPage.colour(0) == "#f87171")
        #expect(SweepPage.colour(0.5) == "#f8e6a0")
        #expect(SweepPage.colour(1) == "#4ade80")
    }
}
