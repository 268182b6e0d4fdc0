import Foundation
import Testing
import TestSupport

/// `Backtester validate` and `Backtester run --data` without a config, on the exporters' layouts.
@Suite(.timeLimit(.minutes(2))) struct DataCommandTests {
    private static func backtester(_ args: [String]) async throws -> BacktesterCommandTests.Run {
        try await BacktesterCommandTests.backtester(args)
    }

    @Test func validateReportsWhatTheLoaderSees() async throws {
        let r = try await Self.backtester(["validate", "--data", "Tests/Fixtures/csv/good/newest_first.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("format      newest first (rows reversed to oldest first)"))
        #expect(r.stdout.contains("bars        30  (2024-01-02T04:00:00 .. 2024-01-03T09:00:00)"))
        #expect(r.stdout.contains("bar size    1h"))
        #expect(r.stdout.contains("gaps        0 intervals"))
        #expect(r.stdout.contains("bad rows    0"))
        let sample = try await Self.backtester(["validate", "--data", "data/sample/NVDA_1h.csv"])
        #expect(sample.stdout.contains("format      plain CSV"))
        #expect(sample.stdout.contains("longest: 3d 18h after 2015-01-16T15:30:00"), "a long weekend")
    }

    @Test func validateListsBadRowsWhenSkippingAndRefusesAParquetFile() async throws {
        let dir = BacktesterCommandTests.temp()
        let path = dir + "/bad.csv"
        try "Time,Open,High,Low,Close\n2024-01-02,1,2,1,1\n2024-01-03,1,0.5,1,1\n2024-01-04,1,2,1,1\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let skipped = try await Self.backtester(["validate", "--data", path, "--on-bad-row", "skip"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stdout.contains("bad rows    1 skipped"))
        #expect(skipped.stdout.contains("bad.csv:3: column High"))
        #expect(skipped.stdout.contains("Volume = none"))
        let failing = try await Self.backtester(["validate", "--data", path])
        #expect(failing.status == 1)
        #expect(failing.stderr.contains("bad.csv:3: column High"))
        let parquet = try await Self.backtester(["validate", "--data", "Tests/Fixtures/csv/bad/bars.parquet"])
        #expect(parquet.status == 1)
        #expect(parquet.stderr.contains("this is a Parquet file"), "\(parquet.stderr)")
    }

    @Test func runWithoutAConfigStatesItsDefaults() async throws {
        let out = BacktesterCommandTests.temp() + "/run"
        let r = try await Self.backtester(["run", "--data", "data/sample/NVDA_1h.csv",
                                           "--predictions", "data/sample/NVDA_1h_predictions.csv", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("No config file: default settings"))
        #expect(r.stdout.contains("entry_threshold 0.001"))
        #expect(r.stdout.contains("TradeMesh backtest") && r.stdout.contains("  NVDA  threshold"))
        #expect(r.stdout.contains("results: \(out)"))
        let none = try await Self.backtester(["run", "--predictions", "data/sample/NVDA_1h_predictions.csv"])
        #expect(none.status != 0)
        #expect(none.stderr.contains("--data FILE"))
    }

    /// A newest-first file with --on-bad-row skip used to skip every row but one and backtest a single bar.
    @Test func aNewestFirstFileRunsInFullEvenWhenSkipping() async throws {
        let out = BacktesterCommandTests.temp() + "/run"
        let r = try await Self.backtester(["run", "--data", "Tests/Fixtures/csv/good/newest_first.csv",
                                           "--on-bad-row", "skip", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("bars            30  (2024-01-02T04:00:00 .. 2024-01-03T09:00:00)"))
        #expect(r.stdout.contains("data format     newest first (rows reversed to oldest first)"))
        #expect(!r.stdout.contains("skipped rows"))
        #expect(!r.stderr.contains("skipped bad row"))
    }
}
