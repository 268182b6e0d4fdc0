import TradingCore
import Yams

/// A cartesian grid of parameter values (`grid.yaml`): dotted config keys mapped to lists of values.
///
/// Parameter sets are numbered from 0 in row-major order over the keys as written: the last key varies fastest.
public struct ParameterGrid: Sendable {
    /// The grid's keys in file order, each with its values as written.
    public var axes: [(key: String, values: [String])]

    /// Keys a grid may vary: everything that does not change which input files are read.
    static let sweepablePrefixes = ["strategy.", "costs.", "risk."]
    static let sweepableKeys = ["initial_capital", "close_at_end"]

    public init(axes: [(key: String, values: [String])]) {
        self.axes = axes
    }

    public static func parse(yaml: String, file: String) throws -> ParameterGrid {
        guard let root = (try? Yams.compose(yaml: yaml)) ?? nil, let mapping = root.mapping else {
            throw ConfigError.unreadable(file, "expected a mapping of dotted keys to lists of values")
        }
        var axes: [(String, [String])] = []
        for (k, v) in mapping {
            let key = k.scalar?.string ?? "?"
            guard sweepableKeys.contains(key) || sweepablePrefixes.contains(where: key.hasPrefix) else {
                throw ConfigError.invalid(key, "cannot be swept (grid keys are strategy.*, costs.*, risk.*, "
                                          + "initial_capital, close_at_end)")
            }
            guard let list = v.sequence, !list.isEmpty else {
                throw ConfigError.wrongType(key, expected: "a non-empty list of values", got: v.scalar?.string ?? "?")
            }
            let values = try list.map { item -> String in
                guard let s = item.scalar?.string else {
                    throw ConfigError.wrongType(key, expected: "a list of scalars", got: "a nested list or mapping")
                }
                return s
            }
            axes.append((key, values))
        }
        guard !axes.isEmpty else { throw ConfigError.unreadable(file, "the grid has no keys") }
        return ParameterGrid(axes: axes)
    }

    /// Number of parameter sets.
    public var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The values of parameter set `index`, one per axis.
    public func values(at index: Int) -> [String] {
        var rest = index
        var out = [String](repeating: "", count: axes.count)
        for a in stride(from: axes.count - 1, through: 0, by: -1) {
            let n = axes[a].values.count
            out[a] = axes[a].values[rest % n]
            rest /= n
        }
        return out
    }

    /// The indices a shard runs: shard `i` of `n` (0-based) takes a contiguous slice.
    public func shardRange(index i: Int, of n: Int) -> Range<Int> {
        let total = count
        return (total * i / n)..<(total * (i + 1) / n)
    }
}
