import ArgumentParser
import Foundation
import TradingCore
import TradingRun

/// `Backtester sweep --config base.yaml --grid grid.yaml [--jobs N] [--shard i/n] --out DIR`.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run every parameter set of a grid on all cores; write sweep.csv and sweep.json.",
        discussion: """
            Rows are numbered in grid order (the last key varies fastest) and written in that order whatever \
            --jobs is. --shard i/n (0-based i) runs the i-th contiguous slice, for batch engines such as a \
            Kubernetes Indexed Job or an AWS Batch array; `Backtester sweep-merge` joins the shards.
            """
    )

    @Option(name: .long, help: "Base backtest config (YAML).")
    var config: String

    @Option(name: .long, help: "Grid (YAML): dotted config keys mapped to lists of values.")
    var grid: String

    @Option(name: .long, help: "Worker threads (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "Run only shard i of n (0-based), e.g. 0/4.")
    var shard: String?

    @Option(name: .long, help: "Output directory.")
    var out: String

    func run() throws {
        let logger = CommandSupport.bootstrapLogger(label: "Backtester")
        try CommandSupport.reportingErrors {
            let gridSpec = try ParameterGrid.parse(yaml: String(decoding: try FileBytes.read(grid), as: UTF8.self),
                                                   file: grid)
            var range: Range<Int>? = nil
            if let shard {
                let parts = shard.split(separator: "/").compactMap { Int($0) }
                guard parts.count == 2, parts[1] > 0, (0..<parts[1]).contains(parts[0]) else {
                    throw ValidationError("--shard: expected i/n with 0 <= i < n, got '\(shard)'")
                }
                range = gridSpec.shardRange(index: parts[0], of: parts[1])
            }
            let step = max(1, gridSpec.count / 20)
            let runner = SweepRunner(codeVersion: CommandSupport.codeVersion(), logger: logger,
                                     modelProvider: CommandSupport.modelProvider)
            let outcome = try runner.run(
                baseYAML: String(decoding: try FileBytes.read(config), as: UTF8.self), baseFile: config,
                grid: gridSpec, range: range, jobs: max(1, jobs),
                progress: { done, total in
                    if done % step == 0 || done == total {
                        FileHandle.standardError.write(Data("sweep: \(done)/\(total) (\(done * 100 / total)%)\n".utf8))
                    }
                })
            try FileBytes.makeDirectory(out)
            try FileBytes.write(outcome.csv, to: out + "/sweep.csv")
            try FileBytes.write(outcome.manifestJSON, to: out + "/sweep.json")
            print("sweep: \(outcome.sets) of \(outcome.totalSets) parameter sets written to \(out)/sweep.csv")
        }
    }
}

/// `Backtester sweep-merge SHARD_DIR... --out DIR`.
struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-merge",
        abstract: "Join shard outputs into the sweep.csv a single run would write."
    )

    @Argument(help: "Shard output directories (each holding sweep.csv and sweep.json).")
    var shards: [String]

    @Option(name: .long, help: "Output directory.")
    var out: String

    func run() throws {
        _ = CommandSupport.bootstrapLogger(label: "Backtester")
        try CommandSupport.reportingErrors {
            guard let first = shards.first else { throw ValidationError("give at least one shard directory") }
            let manifest = String(decoding: try FileBytes.read(first + "/sweep.json"), as: UTF8.self)
            for dir in shards.dropFirst() {
                let other = String(decoding: try FileBytes.read(dir + "/sweep.json"), as: UTF8.self)
                guard other == manifest else {
                    throw ValidationError("\(dir)/sweep.json differs from \(first)/sweep.json: not shards of one sweep")
                }
            }
            let total = try SweepManifest.totalSets(inJSON: manifest, file: first + "/sweep.json")
            let csvs = try shards.map { ($0 + "/sweep.csv", String(decoding: try FileBytes.read($0 + "/sweep.csv"), as: UTF8.self)) }
            let merged = try SweepRunner.merge(csvs.map { (file: $0.0, csv: $0.1) }, totalSets: total)
            try FileBytes.makeDirectory(out)
            try FileBytes.write(merged, to: out + "/sweep.csv")
            try FileBytes.write(manifest, to: out + "/sweep.json")
            print("sweep-merge: \(shards.count) shards, \(total) sets written to \(out)/sweep.csv")
        }
    }
}
