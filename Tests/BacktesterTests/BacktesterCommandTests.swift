import Foundation
import Testing
import TestSupport

/// The `Backtester` executable as a user runs it: outputs, exit codes and error messages.
@Suite(.timeLimit(.minutes(2))) struct BacktesterCommandTests {
    static let root = TestSupport.packageRoot
    static var binary: String { TestSupport.executable("Backtester") }

    /// Another executable of the same build (`ExecSvc`, `MeshCtl`, …), beside `Backtester`.
    static func sibling(_ executable: String) -> String { TestSupport.executable(executable) }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    static func backtester(_ args: [String]) async throws -> Run { try await execute(binary, args) }

    /// Runs any program in the package root and collects its output. The waiting happens on a thread of its own,
    /// never on the cooperative pool: on two cores a blocked pool would starve every other test's timers.
    static func execute(_ path: String, _ args: [String]) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: path)
                    p.arguments = args
                    p.currentDirectoryURL = root
                    let out = Pipe(), err = Pipe()
                    p.standardOutput = out
                    p.standardError = err
                    try p.run()
                    let o = out.fileHandleForReading.readDataToEndOfFile()
                    let e = err.fileHandleForReading.readDataToEndOfFile()
                    p.waitUntilExit()
                    return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                               stderr: String(decoding: e, as: UTF8.self))
                })
            }
        }
    }

    /// Waits for a started process to end, on a thread of its own.
    static func exit(_ process: Process) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    static func temp() -> String {
        let dir = "/tmp/trademesh-bt-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func runWritesResultsAndASummary() async throws {
        let out = Self.temp()
        let r = try await Self.backtester(["run", "--config", "config/backtest.yaml", "--out", out,
                                     "--set", "start=2024-01-01"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("results: \(out)"))
        #expect(r.stdout.contains("sharpe"))
        for f in ["trades.csv", "equity.csv", "metrics.json", "run.json"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + f))
        }
        let manifest = String(decoding: FileManager.default.contents(atPath: out + "/run.json") ?? Data(), as: UTF8.self)
        #expect(manifest.contains(#/"code_version": "\d+\.\d+\.\d+\+[0-9a-f]{40}"/#), "the checkout's commit")
        let rerun = try await Self.backtester(["rerun", out + "/run.json", "--out", out + "/again"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        for f in ["trades.csv", "equity.csv", "metrics.json", "run.json"] {
            #expect(FileManager.default.contents(atPath: out + "/" + f) == FileManager.default.contents(atPath: out + "/again/" + f))
        }
    }

    @Test func runWithTheBundledLSTMModelAndRerun() async throws {
        let out = Self.temp()
        let r = try await Self.backtester(["run", "--config", "config/backtest-lstm.yaml", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let manifest = String(decoding: FileManager.default.contents(atPath: out + "/run.json") ?? Data(), as: UTF8.self)
        #expect(manifest.contains("\"path\": \"models/registry/nvda-lstm-sample\""))
        #expect(manifest.contains("\"hyperparameters_sha256\""))
        let rerun = try await Self.backtester(["rerun", out + "/run.json", "--out", out + "/again"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        for f in ["trades.csv", "equity.csv", "metrics.json", "run.json"] {
            #expect(FileManager.default.contents(atPath: out + "/" + f) == FileManager.default.contents(atPath: out + "/again/" + f))
        }
        let both = try await Self.backtester(["run", "--config", "config/backtest-lstm.yaml", "--set",
                                        "predictions=data/sample/NVDA_1h_predictions.csv", "--out", out + "/x"])
        #expect(both.status == 1)
        #expect(both.stderr.contains("give either predictions or model, not both"))
    }

    @Test func badInputsExitOneWithAClearMessage() async throws {
        let dir = Self.temp()
        let bad = dir + "/bad.csv"
        try "Time,Open,High,Low,Close,Volume\n2024-01-02T09:30:00,10,11,9,10.5,100\n2024-01-02T10:30:00,10,11,9,NaN,100\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["run", "--config", "config/backtest.yaml", "--set", "strategy.entry_treshold=1", "--out", dir + "/a"],
             "strategy.entry_treshold: unknown key (did you mean entry_threshold?)"),
            (["run", "--config", "config/backtest.yaml", "--set", "data=\(bad)", "--set", "predictions=~",
              "--out", dir + "/b"], "\(bad):3: column Close"),
            (["run", "--config", "config/nope.yaml"], "config/nope.yaml: no such file"),
            (["run", "--config", "config/backtest.yaml", "--set", "risk.max_leverage=-1", "--out", dir + "/c"],
             "risk.max_leverage: must be positive"),
        ]
        for (args, message) in cases {
            let r = try await Self.backtester(args)
            #expect(r.status == 1, "\(args)")
            #expect(r.stderr.contains("error: ") && r.stderr.contains(message), "\(r.stderr)")
        }
    }

    @Test func skipPolicyReportsTheBadRowAndRuns() async throws {
        let dir = Self.temp()
        let bad = dir + "/bad.csv"
        var text = "Time,Open,High,Low,Close,Volume\n"
        for h in 0..<7 { text += "2024-01-02T\(String(format: "%02d", 9 + h)):30:00,10,11,9,10.5,100\n" }
        text += "2024-01-03T09:30:00,10,9,11,10.5,100\n"
        try text.write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try await Self.backtester(["run", "--config", "config/backtest.yaml", "--set", "data=\(bad)",
                                     "--set", "predictions=null", "--set", "start=null", "--set", "end=null",
                                     "--on-bad-row", "skip", "--out", dir + "/out"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("bad.csv:9"))
        #expect(r.stdout.contains("skipped rows    1"))
    }

    @Test func sweepIsTheSameWhateverJobsAndShards() async throws {
        let dir = Self.temp()
        let grid = dir + "/grid.yaml"
        try "strategy.entry_threshold: [0.005, 0.01]\nstrategy.stop_loss: [0.02, 0.04, 0.08]\n"
            .write(toFile: grid, atomically: true, encoding: .utf8)
        let base = ["--config", "config/backtest.yaml", "--grid", grid]
        let single = try await Self.backtester(["sweep"] + base + ["--jobs", "1", "--out", dir + "/one"])
        #expect(single.status == 0, "\(single.stderr)")
        #expect(single.stderr.contains("sweep: 6/6 (100%)"))
        #expect(try await Self.backtester(["sweep"] + base + ["--jobs", "2", "--out", dir + "/two"]).status == 0)
        for i in 0..<2 {
            #expect(try await Self.backtester(["sweep"] + base + ["--shard", "\(i)/2", "--out", dir + "/s\(i)"]).status == 0)
        }
        #expect(try await Self.backtester(["sweep-merge", dir + "/s1", dir + "/s0", "--out", dir + "/merged"]).status == 0)
        let one = FileManager.default.contents(atPath: dir + "/one/sweep.csv")
        #expect(one != nil)
        #expect(one == FileManager.default.contents(atPath: dir + "/two/sweep.csv"))
        #expect(one == FileManager.default.contents(atPath: dir + "/merged/sweep.csv"))
        let partial = try await Self.backtester(["sweep-merge", dir + "/s0", "--out", dir + "/partial"])
        #expect(partial.status == 1)
        #expect(partial.stderr.contains("do not cover every set"))
    }
}
