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
            Kubernetes Indexed Job or an AWS Batch array; `Backtester sweep-merge` joins the shards. After the \
            run it prints the best --top sets by --maximize among those that satisfy every --constraint, and writes \
            sweep.html: that table and a heatmap for every pair of grid keys.
            """
    )

    @OptionGroup var ranking: SweepRankingOptions

    @Option(name: .long, help: "Base backtest config (YAML).")
    var config: String

    @Option(name: .long, help: "Grid (YAML): dotted config keys mapped to lists of values.")
    var grid: String

    @Option(name: .long, help: "Worker threads; the default is the number of cores.")
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
            try ranking.report(csv: outcome.csv, directory: out)
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

    @OptionGroup var ranking: SweepRankingOptions

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
            try ranking.report(csv: merged, directory: out)
        }
    }
}

/// How `sweep` and `sweep-merge` rank the sets they wrote.
struct SweepRankingOptions: ParsableArguments {
    @Option(help: "The metric to rank by, greater is better (a sweep.csv column: sharpe, total_return, …).")
    var maximize: String = "sharpe"

    @Option(help: ArgumentHelp("Keep only sets where this holds, e.g. 'num_trades >= 20' (repeatable).",
                               valueName: "column op number"))
    var constraint: [String] = []

    @Option(help: "How many of the best sets to print.")
    var top: Int = 5

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top: expected at least 1, got \(top)") }
        guard SweepRunner.metricColumns.contains(maximize) else {
            throw ValidationError("--maximize: expected one of \(SweepRunner.metricColumns.joined(separator: ", ")), "
                                  + "got '\(maximize)'")
        }
        for c in constraint { _ = try SweepConstraint(parsing: c) }
    }

    /// Prints the best sets and writes `sweep.html` beside `sweep.csv`.
    func report(csv: String, directory: String) throws {
        let table = try SweepTable(csv: csv, file: directory + "/sweep.csv")
        let constraints = try constraint.map(SweepConstraint.init(parsing:))
        let best = try table.best(maximizing: maximize, constraints: constraints, count: top)
        let page = SweepPage(table: table, metric: maximize, constraints: constraints, top: top)
        try FileBytes.write(try page.html(), to: directory + "/sweep.html")
        let shown = [table.columns[0]] + table.parameters + [maximize]
        let indices = try shown.map(table.column)
        print("best \(best.count) by \(maximize)" + (constraints.isEmpty ? "" : " where "
            + constraint.joined(separator: " and ")) + ":")
        print("  " + shown.joined(separator: "  "))
        for row in best { print("  " + indices.map { row[$0].isEmpty ? "-" : row[$0] }.joined(separator: "  ")) }
        if best.isEmpty { print("  (no set satisfies the constraints)") }
        print("sweep page: \(directory)/sweep.html")
    }
}
