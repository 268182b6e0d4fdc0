import Foundation
import Testing
import TestSupport

/// The `Backtester` executable as a user runs it: outputs, exit codes and error messages.
/// The limit is a guard against hangs: the LSTM run and rerun take about a minute on a quiet 2-core machine.
@Suite(.timeLimit(.minutes(5))) struct BacktesterCommandTests {
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

    /// The look-ahead guard: a model is not backtested on the bars it was trained on unless asked to (the allowed
    /// case is LookAheadGuardTests', where the model is a stand-in that predicts in no time).
    @Test func aWindowOverTheModelsTrainingBarsIsRefused() async throws {
        let out = Self.temp()
        let window = ["--set", "start=2021-12-01", "--set", "end=2022-01-31"]
        let refused = try await Self.backtester(["run", "--config", "config/backtest-lstm.yaml", "--out", out + "/a"]
                                                + window)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the backtest window 2021-12-01T09:30:00 .. 2022-01-31T15:30:00 overlaps the "
            + "training bars of models/registry/nvda-lstm-sample (2015-01-02T09:30:00 .. 2021-12-29T14:30:00)"),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-in-sample"))
        #expect(!FileManager.default.fileExists(atPath: out + "/a"))
        let replay = try await Self.backtester(["replay", "--config", "config/backtest-lstm.yaml", "--out", out + "/c"]
                                               + window)
        #expect(replay.status == 1)
        #expect(replay.stderr.contains("overlaps the training bars"), "\(replay.stderr)")
    }

    @Test func predictSaysWhichRowsAreInSample() async throws {
        let dir = Self.temp()
        // Five months of the sample around the model's last training bar, to keep the prediction short.
        let sample = try String(contentsOf: Self.root.appendingPathComponent("data/sample/NVDA_1h.csv"), encoding: .utf8)
        let lines = sample.split(separator: "\n")
        let rows = lines.dropFirst().filter { $0 >= "2021-10-01" && $0 < "2022-03-01" }
        try ([String(lines[0])] + rows.map(String.init)).joined(separator: "\n").write(
            toFile: dir + "/bars.csv", atomically: true, encoding: .utf8)
        let r = try await Self.execute(Self.sibling("PredictSvc"), [
            "predict", "--model", "models/registry/nvda-lstm-sample", "--data", dir + "/bars.csv",
            "--out", dir + "/p.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(#/in-sample: \d+ of \d+ rows, 2021-1\S+ \.\. 2021-12-29T14:30:00, fall in the model's training bars \(2015-01-02T09:30:00 \.\. 2021-12-29T14:30:00\); score or backtest only the rows after 2021-12-29T14:30:00/#),
                "\(r.stdout)")
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

    /// Every file of a directory, by name.
    static func files(_ dir: String) -> [String: Data] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return Dictionary(uniqueKeysWithValues: names.map { ($0, FileManager.default.contents(atPath: dir + "/" + $0)
            ?? Data()) })
    }

    /// Determinism where it can break: two separate processes (own heap, hash seeds, thread timing) given the same
    /// config write the same bytes, every file of the directory.
    @Test func twoProcessesWriteTheSameBytes() async throws {
        let dir = Self.temp()
        let args = ["run", "--config", "config/backtest.yaml", "--set", "start=2023-01-01", "--set",
                    "risk_rules=config/risk.yaml"]
        async let first = Self.backtester(args + ["--out", dir + "/a"])
        async let second = Self.backtester(args + ["--out", dir + "/b"])
        let (a, b) = try await (first, second)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
        let filesA = Self.files(dir + "/a"), filesB = Self.files(dir + "/b")
        #expect(filesA.keys.sorted() == ["equity.csv", "metrics.json", "report.html", "risk.csv", "run.json",
                                         "trades.csv"])
        for (name, bytes) in filesA {
            #expect(bytes.count > 0, "\(name)")
            #expect(filesB[name] == bytes, "\(name) differs between two runs")
        }
    }

    @Test func predictionsOffTheBarsFailTheRunUnlessAllowed() async throws {
        let dir = Self.temp()
        let sample = try String(contentsOfFile: Self.root.path + "/data/sample/NVDA_1h.csv", encoding: .utf8)
        let rows = sample.split(separator: "\n").prefix(41)
        try (rows.joined(separator: "\n") + "\n").write(toFile: dir + "/bars.csv", atomically: true, encoding: .utf8)
        // The same times, 15 minutes late.
        let late = rows.dropFirst().map { $0.replacingOccurrences(of: ":30:00,", with: ":45:00,")
            .split(separator: ",").prefix(1).joined() + ",10.0,0.02" }
        try ("Time,predicted_price,predicted_return\n" + late.joined(separator: "\n") + "\n")
            .write(toFile: dir + "/p.csv", atomically: true, encoding: .utf8)
        let args = ["run", "--config", "config/backtest.yaml", "--set", "data=\(dir)/bars.csv", "--set",
                    "predictions=\(dir)/p.csv", "--set", "start=null", "--set", "end=null"]
        let strict = try await Self.backtester(args + ["--out", dir + "/strict"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("error: predictions: only 0 of the 39 predictions in \(dir)/p.csv"),
                "\(strict.stderr)")
        #expect(strict.stderr.contains("first bar without a prediction: 2015-01-02T09:30:00 (\(dir)/bars.csv)"))
        #expect(strict.stderr.contains("first prediction without a bar: 2015-01-02T09:45:00 (\(dir)/p.csv)"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/strict"))
        let allowed = try await Self.backtester(args + ["--allow-missing-predictions", "--out", dir + "/allowed"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stdout.contains("bars without prediction 40"))
    }

    @Test func aFileOfNULBytesIsRefusedAtOnceWithAShortMessage() async throws {
        let dir = Self.temp()
        let path = dir + "/zeros.csv"
        // Sparse: 2 GiB of NUL bytes that take no disk space.
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 2 << 30)
        try handle.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try await Self.backtester(["run", "--config", "config/backtest.yaml", "--set", "data=\(path)",
                                           "--out", dir + "/out"])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(path):1: not a CSV text file: binary data: byte 0x00 at offset 0\n")
    }

    /// A disk that fills up while the results are written: a 64 KiB tmpfs in a private mount namespace (root only).
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
    func aFullDiskLeavesNoCompleteLookingDirectory() async throws {
        let dir = Self.temp()
        let script = """
            mount -t tmpfs -o size=64k tmpfs "$1" || exit 99
            "$2" run --config config/backtest.yaml --set start=2023-01-01 --out "$1/run"
            echo "status=$?"
            ls -A "$1"
            """
        let r = try await Self.execute("/usr/bin/unshare", ["-m", "sh", "-c", script, "sh", dir, Self.binary])
        try #require(r.status != 99, "cannot mount a tmpfs here: \(r.stderr)")
        #expect(r.stdout == "status=1\n", "the run failed and left nothing in the directory: \(r.stdout)")
        #expect(r.stderr.contains("error: cannot write the results to \(dir)/run: "), "\(r.stderr)")
        #expect(r.stderr.contains("(No space left on device); nothing was written there"), "\(r.stderr)")
    }

    /// The bar stamp of docs/wire.md: in a replay a bar's `ts_event` (and `ts_init`) is its close, its time plus
    /// the bar interval (one hour for the sample), and the results are still those of `run`.
    @Test func aReplayStampsEachBarAtItsClose() async throws {
        let mesh = HandStartedMesh()
        let config = ["--config", "config/backtest.yaml", "--set", "start=2024-12-20"]
        let bus = try mesh.start("MeshCtl", ["proxy"])
        let tap = try mesh.start("MeshCtl", ["tap", "bar.", "ctl.end", "--count", "200"],
                                 stdout: mesh.dir + "/tap.jsonl")
        let services = [
            try mesh.start("ExecSvc", config + ["--out", mesh.dir + "/replay"]),
            try mesh.start("StrategySvc", config),
            try mesh.start("PredictSvc", ["serve"] + config),
        ]
        let data = try mesh.start("DataSvc", ["replay"] + config + ["--window", "8"])
        try await mesh.expectClean([data] + services)
        tap.terminate()
        bus.terminate()
        await Self.exit(tap)
        await Self.exit(bus)
        let messages = mesh.read("tap.jsonl").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let bars = messages.filter { $0["type"] as? String == "bar" }
        try #require(bars.count > 20, "\(messages.count) messages tapped")
        let hour: Int64 = 3_600_000_000_000
        for bar in bars {
            let time = try #require((bar["time"] as? NSNumber)?.int64Value)
            #expect((bar["ts_event"] as? NSNumber)?.int64Value == time + hour, "\(bar)")
            #expect((bar["ts_init"] as? NSNumber)?.int64Value == time + hour)
        }
        let lastTime = try #require((bars.last?["time"] as? NSNumber)?.int64Value)
        let end = messages.first { $0["type"] as? String == "end" && $0["source"] as? String == "DataSvc" }
        #expect((end?["ts_event"] as? NSNumber)?.int64Value == lastTime + hour, "ctl.end at the last bar's close")
        let run = try await Self.backtester(["run", "--out", mesh.dir + "/run"] + config)
        #expect(run.status == 0)
        ReplayTests.expectSameFiles(mesh.dir + "/run", mesh.dir + "/replay")
    }

    /// A file of many bad rows, skipped: the first 20 are listed, the rest counted, so stderr stays short.
    @Test func manySkippedRowsAreListedUpToALimit() async throws {
        let dir = Self.temp()
        var text = "Time,Open,High,Low,Close,Volume\n"
        for h in 0..<7 { text += "2024-01-02T\(String(format: "%02d", 9 + h)):30:00,10,11,9,10.5,100\n" }
        for d in 3...9 { for h in 0..<7 { text += "2024-01-0\(d)T\(String(format: "%02d", 9 + h)):30:00,10,9,11,10,1\n" } }
        try text.write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let r = try await Self.backtester(["run", "--config", "config/backtest.yaml", "--set", "data=\(dir)/bad.csv",
                                           "--set", "predictions=null", "--set", "start=null", "--set", "end=null",
                                           "--on-bad-row", "skip", "--out", dir + "/out"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "skipped bad row").count - 1 == 20, "\(r.stderr)")
        #expect(r.stderr.contains("count=29 total=49 [TradingRun] more rows skipped, not listed"), "\(r.stderr)")
        #expect(r.stdout.contains("skipped rows    49"))
    }
}
