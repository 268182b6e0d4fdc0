import Foundation
import Testing

/// `Backtester sweep` as a user acts on it: the best sets printed under constraints, and the sweep page.
@Suite(.timeLimit(.minutes(2))) struct SweepCommandTests {
    typealias T = BacktesterCommandTests

    @Test func sweepPrintsTheBestSetsAndWritesTheSweepPage() async throws {
        let dir = T.temp()
        let grid = dir + "/grid.yaml"
        try "strategy.entry_threshold: [0.002, 0.01]\nstrategy.stop_loss: [0.01, 0.03]\n"
            .write(toFile: grid, atomically: true, encoding: .utf8)
        let r = try await T.backtester(["sweep", "--config", "config/backtest.yaml", "--grid", grid, "--out",
                                        dir + "/out", "--maximize", "total_return", "--constraint",
                                        "num_trades >= 1", "--top", "2", "--jobs", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("best 2 by total_return where num_trades >= 1:"), "\(r.stdout)")
        #expect(r.stdout.contains("sweep page: \(dir)/out/sweep.html"))
        // The two lines printed are the two greatest total returns of sweep.csv, greatest first.
        let csv = try String(contentsOfFile: dir + "/out/sweep.csv", encoding: .utf8)
        let header = csv.split(separator: "\n")[0].split(separator: ",")
        let column = try #require(header.firstIndex(of: "total_return"))
        let returns = csv.split(separator: "\n").dropFirst().map { line in
            (String(line.split(separator: ",")[0]), Double(line.split(separator: ",")[column]) ?? -.infinity)
        }.sorted { $0.1 > $1.1 }
        let printed = r.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.dropFirst()
            .map { String($0.split(separator: " ")[0]) }
        #expect(printed == returns.prefix(2).map(\.0))
        let page = try String(contentsOfFile: dir + "/out/sweep.html", encoding: .utf8)
        #expect(page.contains("total_return by strategy.entry_threshold and strategy.stop_loss"))
    }

    @Test func aBadConstraintOrMetricIsRefusedBeforeAnyWork() async throws {
        let dir = T.temp()
        let bad = try await T.backtester(["sweep", "--config", "config/backtest.yaml", "--grid", "config/grid.yaml",
                                          "--out", dir, "--constraint", "sharpe is good"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("expected 'column op number'"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/sweep.csv"))
    }
}
