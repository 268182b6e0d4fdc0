import TradingCore
import Dispatch
import Foundation
import Logging
import Synchronization
import Yams

/// Runs every parameter set of a grid over one set of inputs on several threads and writes `sweep.csv`
/// (one row per set, in index order, the same bytes whatever the number of jobs) and `sweep.json`.
public struct SweepRunner: Sendable {
    public var codeVersion: String
    private let logger: Logger
    private let modelProvider: ModelPredictionProvider?

    public init(codeVersion: String, logger: Logger, modelProvider: ModelPredictionProvider? = nil) {
        self.codeVersion = codeVersion
        self.logger = logger
        self.modelProvider = modelProvider
    }

    /// The metric columns of `sweep.csv`, after `index` and the grid keys.
    public static let metricColumns = [
        "final_equity", "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "max_drawdown_duration_bars",
        "num_trades", "win_rate", "profit_factor", "avg_trade_return", "exposure", "rejected_orders",
        "daily_cap_hits",
    ]

    /// Runs the sets in `range` (default: all) with `jobs` threads; `progress` is called from worker threads.
    public func run(baseYAML: String, baseFile: String, grid: ParameterGrid, range: Range<Int>? = nil, jobs: Int,
                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> SweepOutcome {
        guard let base = try Yams.compose(yaml: baseYAML) else {
            throw ConfigError.unreadable(baseFile, "empty config")
        }
        let baseConfig = try BacktestConfig.decode(base, setting: [])
        let inputs = try BacktestRunner(codeVersion: codeVersion, logger: logger, modelProvider: modelProvider)
            .loadInputs(baseConfig)
        let composed: [[Node]] = grid.axes.map { axis in
            axis.values.map { (try? Yams.compose(yaml: $0)).flatMap { $0 } ?? Node($0) }
        }
        let indices = range ?? 0..<grid.count
        // Resolve every set's config first, so a bad value fails before any work starts.
        var configs: [BacktestConfig] = []
        configs.reserveCapacity(indices.count)
        for index in indices {
            var rest = index
            var setting: [(key: String, value: Node)] = []
            for a in stride(from: grid.axes.count - 1, through: 0, by: -1) {
                let n = grid.axes[a].values.count
                setting.append((grid.axes[a].key, composed[a][rest % n]))
                rest /= n
            }
            do {
                let c = try BacktestConfig.decode(base, setting: setting.reversed())
                try Backtest.validate(c.strategy)
                configs.append(c)
            } catch {
                throw ConfigError.invalid("grid", "parameter set \(index): \(error)")
            }
        }

        // Workers take sets in a strided order and store each row at its own offset: the order of the file never
        // depends on which thread finished first. Inputs are shared read-only.
        let resolved = configs
        let rows = RowStore(count: configs.count)
        let done = Counter()
        let workers = max(1, min(jobs, configs.count))
        let total = configs.count
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < total {
                let c = resolved[i]
                do {
                    let r = try Backtest.run(bars: inputs.bars, predictedReturns: inputs.predictedReturns,
                                             strategy: c.strategy, execution: c.execution)
                    rows.set(i, .success(Self.row(Metrics(result: r, barsPerYear: inputs.barsPerYear))))
                } catch {
                    rows.set(i, .failure("\(error)"))
                }
                done.increment { progress?($0, total) }
                i += workers
            }
        }
        var csv = "index," + grid.axes.map { Self.csvField($0.key) }.joined(separator: ",") + ","
            + Self.metricColumns.joined(separator: ",") + "\n"
        for (offset, index) in indices.enumerated() {
            switch rows.get(offset) {
            case .success(let row):
                csv += String(index) + "," + grid.values(at: index).map(Self.csvField).joined(separator: ",") + ","
                    + row + "\n"
            case .failure(let message):
                throw ConfigError.invalid("grid", "parameter set \(index): \(message)")
            }
        }
        let manifest = SweepManifest(codeVersion: codeVersion, baseConfig: baseConfig, grid: grid,
                                     dataSHA256: inputs.dataSHA256, predictionsSHA256: inputs.predictionsSHA256,
                                     model: inputs.model)
        return SweepOutcome(csv: csv, manifestJSON: manifest.json, sets: indices.count, totalSets: grid.count)
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func row(_ m: Metrics) -> String {
        func d(_ v: Double?) -> String { v.map(JSONWriter.number) ?? "" }
        return [d(m.finalEquity), d(m.totalReturn), d(m.cagr), d(m.sharpe), d(m.sortino), d(m.maxDrawdown),
                String(m.maxDrawdownDurationBars), String(m.numTrades), d(m.winRate), d(m.profitFactor),
                d(m.avgTradeReturn), d(m.exposure), String(m.rejectedOrders), String(m.dailyCapHits)]
            .joined(separator: ",")
    }

    /// Joins shard outputs (`sweep.csv` texts) into the file a single run writes; every index must appear once.
    public static func merge(_ shards: [(file: String, csv: String)], totalSets: Int) throws -> String {
        var header: String?
        var rows: [(Int, Substring)] = []
        for (file, csv) in shards {
            var lines = csv.split(separator: "\n", omittingEmptySubsequences: true)
            guard !lines.isEmpty else { throw ConfigError.unreadable(file, "empty sweep.csv") }
            let h = String(lines.removeFirst())
            if let existing = header, existing != h {
                throw ConfigError.unreadable(file, "its header differs from the other shards' (not the same sweep)")
            }
            header = h
            for (n, line) in lines.enumerated() {
                guard let comma = line.firstIndex(of: ","), let index = Int(line[..<comma]) else {
                    throw ConfigError.unreadable(file, "line \(n + 2): no index")
                }
                rows.append((index, line))
            }
        }
        rows.sort { $0.0 < $1.0 }
        let indices = rows.map(\.0)
        guard indices == Array(0..<totalSets) else {
            let seen = Set(indices)
            let missing = (0..<totalSets).filter { !seen.contains($0) }.prefix(5)
            throw ConfigError.invalid("shards", "the shards do not cover every set exactly once "
                                      + "(\(indices.count) rows for \(totalSets) sets; missing e.g. \(Array(missing)))")
        }
        return (header ?? "") + "\n" + rows.map { String($0.1) }.joined(separator: "\n") + "\n"
    }
}

/// The files a sweep (or shard) produced.
public struct SweepOutcome: Sendable {
    public var csv: String
    public var manifestJSON: String
    public var sets: Int
    public var totalSets: Int
}

/// `sweep.json`: what a sweep ran, so that shards can be checked and merged.
public struct SweepManifest: Sendable {
    public var codeVersion: String
    public var baseConfig: BacktestConfig
    public var grid: ParameterGrid
    public var dataSHA256: String
    public var predictionsSHA256: String?
    /// The model that made the predictions, when the base config names one.
    public var model: ModelManifest? = nil

    /// Reads the number of sets of the whole sweep from a `sweep.json` text.
    public static func totalSets(inJSON text: String, file: String) throws -> Int {
        guard let root = (try? Yams.compose(yaml: text)) ?? nil, let n = root.mapping?["total_sets"]?.int, n > 0 else {
            throw ConfigError.unreadable(file, "not a sweep manifest (no total_sets)")
        }
        return n
    }

    public var json: String {
        var j = JSONWriter()
        j.object { j in
            j.field("code_version", codeVersion)
            j.field("total_sets", grid.count)
            j.objectField("data") { j in
                j.field("path", baseConfig.data)
                j.field("sha256", dataSHA256)
            }
            j.field("predictions_sha256", predictionsSHA256)
            if let m = model {
                j.objectField("model") { m.write(into: &$0) }
            }
            j.objectField("base_config") { baseConfig.writeCanonical(into: &$0) }
            j.objectField("grid") { j in
                for axis in grid.axes {
                    j.rawField(axis.key, "[" + axis.values.map(JSONWriter.quote).joined(separator: ", ") + "]")
                }
            }
        }
        return j.text + "\n"
    }
}

/// Result rows (or the error of a set) written by worker threads at distinct offsets. One lock acquisition per
/// finished backtest: nothing on the per-bar path.
private final class RowStore: Sendable {
    enum Row: Sendable { case success(String), failure(String) }
    private let rows: Mutex<[Row]>
    init(count: Int) { rows = Mutex(Array(repeating: .failure("not run"), count: count)) }
    func set(_ i: Int, _ row: Row) { rows.withLock { $0[i] = row } }
    func get(_ i: Int) -> Row { rows.withLock { $0[i] } }
}

/// A thread-safe counter of finished sets; `report` runs under the lock, so progress lines come out in order.
private final class Counter: Sendable {
    private let value = Mutex(0)
    func increment(report: (Int) -> Void) {
        value.withLock { value in
            value += 1
            report(value)
        }
    }
}
