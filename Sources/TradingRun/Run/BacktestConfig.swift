import TradingCore
import Yams

/// A backtest configuration (`config/backtest.yaml`). Unknown keys are errors; see docs/backtester.md.
public struct BacktestConfig: Sendable, Hashable {
    public var data: String
    public var symbol: String
    public var predictions: String?
    /// A model directory (`models/registry/<id>`) that makes the predictions, in place of `predictions`.
    public var model: String?
    /// Inclusive bounds as written (date or date-time); nil = whole file.
    public var start: String?
    public var end: String?
    public var onBadRow: BadRowPolicy
    public var strategy: StrategySettings
    public var execution: ExecutionSettings
    /// The live risk rules (`config/risk.yaml`) to apply to the run, so a backtest shows when the live system would
    /// have denied orders or halted; nil = none (the fast in-process engine).
    public var riskRules: String?
    /// Run even when the predictions file's times do not match the bars' (see
    /// `PredictionAlignment.isPlausible`); bars without a prediction then hold.
    public var allowMissingPredictions = false
    /// Run a `model:` over a window that overlaps the model's training bars (the look-ahead guard refuses it).
    public var allowInSample = false

    public init(data: String, symbol: String, predictions: String?, start: String? = nil, end: String? = nil,
                onBadRow: BadRowPolicy = .fail, strategy: StrategySettings = StrategySettings(),
                execution: ExecutionSettings = ExecutionSettings()) {
        self.data = data
        self.symbol = symbol
        self.predictions = predictions
        self.start = start
        self.end = end
        self.onBadRow = onBadRow
        self.strategy = strategy
        self.execution = execution
    }

    static let topKeys = ["data", "symbol", "predictions", "model", "start", "end", "initial_capital", "strategy", "costs",
                          "risk", "close_at_end", "on_bad_row", "risk_rules", "allow_missing_predictions",
                          "allow_in_sample"]
    static let strategyKeys = ["name", "entry_threshold", "exit_threshold", "allow_short", "short_entry_threshold",
                               "short_exit_threshold", "stop_loss", "take_profit", "size", "sma_period"]
    static let costKeys = ["per_trade", "slippage_bps"]
    static let riskKeys = ["daily_loss_cap", "max_leverage"]
    static let sizeKeys = ["fraction", "units"]

    /// Parses YAML text, then applies `overrides` (`dotted.key=value`, the value read as a YAML scalar).
    public static func parse(yaml: String, file: String = "config", overrides: [String] = []) throws -> BacktestConfig {
        let node: Node?
        do {
            node = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError.unreadable(file, "not valid YAML: \(error)")
        }
        guard var root = node, root.mapping != nil else {
            throw ConfigError.unreadable(file, "expected a mapping of keys at the top level")
        }
        for override in overrides { root = try apply(override, to: root) }
        do {
            return try decode(root)
        } catch let error as ConfigError {
            throw error.inFile(file)
        }
    }

    /// Decodes an already composed YAML tree after setting each `(dotted key, value)` pair in it.
    public static func decode(_ root: Node, setting values: [(key: String, value: Node)]) throws -> BacktestConfig {
        var root = root
        for (key, value) in values {
            root = try set(key.split(separator: ".").map(String.init)[...], value, in: root, prefix: "")
        }
        return try decode(root)
    }

    /// Sets one dotted key in a YAML node tree, creating intermediate mappings.
    static func apply(_ override: String, to root: Node) throws -> Node {
        guard let eq = override.firstIndex(of: "=") else {
            throw ConfigError.invalid(override, "an override is written key.path=value")
        }
        let path = override[..<eq].split(separator: ".").map(String.init)
        let text = String(override[override.index(after: eq)...])
        let value = (try? Yams.compose(yaml: text)) ?? nil ?? Node(text)
        guard !path.isEmpty else { throw ConfigError.invalid(override, "empty key path") }
        return try set(path[...], value, in: root, prefix: "")
    }

    private static func set(_ path: ArraySlice<String>, _ value: Node, in node: Node, prefix: String) throws -> Node {
        guard var mapping = node.mapping else {
            throw ConfigError.wrongType(prefix, expected: "a mapping", got: node.scalar?.string ?? "?")
        }
        guard let key = path.first else { throw ConfigError.invalid(prefix, "empty key path") }
        let full = prefix.isEmpty ? key : prefix + "." + key
        if path.count == 1 {
            mapping[Node(key)] = value
            // Setting one way of sizing replaces the other: `--set strategy.size.fraction=0.5` over `units: 10`.
            if prefix == "strategy.size", let other = ["fraction": "units", "units": "fraction"][key] {
                mapping[Node(other)] = nil
            }
        } else {
            let child = mapping[Node(key)] ?? Node.mapping(Node.Mapping([]))
            mapping[Node(key)] = try set(path.dropFirst(), value, in: child, prefix: full)
        }
        return Node.mapping(mapping)
    }

    private static func decode(_ root: Node) throws -> BacktestConfig {
        let top = try Section(root, path: "", known: topKeys)
        var config = BacktestConfig(data: try top.requiredString("data"), symbol: try top.string("symbol") ?? "NVDA",
                                    predictions: try top.string("predictions"))
        config.model = try top.string("model")
        if config.model != nil && config.predictions != nil {
            throw ConfigError.invalid("model", "give either predictions or model, not both")
        }
        config.riskRules = try top.string("risk_rules")
        config.allowMissingPredictions = try top.bool("allow_missing_predictions") ?? false
        config.allowInSample = try top.bool("allow_in_sample") ?? false
        config.start = try top.string("start")
        config.end = try top.string("end")
        if let policy = try top.string("on_bad_row") {
            guard let p = BadRowPolicy(rawValue: policy) else {
                throw ConfigError.invalid("on_bad_row", "expected fail or skip, got '\(policy)'")
            }
            config.onBadRow = p
        }
        var exec = ExecutionSettings()
        exec.initialCapital = try top.double("initial_capital") ?? exec.initialCapital
        exec.closeAtEnd = try top.bool("close_at_end") ?? false
        if let costs = try top.section("costs", known: costKeys) {
            exec.perTradeCost = try costs.double("per_trade") ?? 0
            exec.slippageBps = try costs.double("slippage_bps") ?? 0
        }
        if let risk = try top.section("risk", known: riskKeys) {
            exec.dailyLossCap = try risk.double("daily_loss_cap")
            exec.maxLeverage = try risk.double("max_leverage") ?? 1
        }
        guard exec.initialCapital > 0 else { throw ConfigError.invalid("initial_capital", "must be positive") }
        guard exec.maxLeverage > 0 else { throw ConfigError.invalid("risk.max_leverage", "must be positive") }
        try check("risk.max_leverage", exec.maxLeverage, exec.maxLeverage <= 100, "at most 100")
        if let cap = exec.dailyLossCap, !(cap > 0 && cap < 1) {
            throw ConfigError.invalid("risk.daily_loss_cap", "must be a fraction in (0, 1), got \(cap)")
        }
        guard exec.perTradeCost >= 0, exec.slippageBps >= 0 else {
            throw ConfigError.invalid("costs", "costs cannot be negative")
        }
        try check("costs.slippage_bps", exec.slippageBps, exec.slippageBps < 10_000,
                  "below 10000 (basis points: 10000 is the whole price)")
        config.execution = exec

        var s = StrategySettings()
        if let st = try top.section("strategy", known: strategyKeys) {
            s.name = try st.string("name") ?? s.name
            s.entryThreshold = try st.double("entry_threshold") ?? s.entryThreshold
            s.exitThreshold = try st.double("exit_threshold") ?? s.exitThreshold
            s.allowShort = try st.bool("allow_short") ?? s.allowShort
            s.shortEntryThreshold = try st.double("short_entry_threshold") ?? s.shortEntryThreshold
            s.shortExitThreshold = try st.double("short_exit_threshold") ?? s.shortExitThreshold
            s.stopLoss = try st.double("stop_loss")
            s.takeProfit = try st.double("take_profit")
            s.smaPeriod = try st.int("sma_period") ?? s.smaPeriod
            if let size = try st.section("size", known: sizeKeys) {
                let fraction = try size.double("fraction")
                let units = try size.double("units")
                switch (fraction, units) {
                case (let f?, nil): s.size = .fraction(f)
                case (nil, let u?): s.size = .units(u)
                default: throw ConfigError.invalid("strategy.size", "give exactly one of fraction or units")
                }
            }
        }
        try checkRanges(s, leverage: exec.maxLeverage)
        config.strategy = s
        return config
    }

    /// The strategy's numbers must be in range: thresholds are returns (fractions, so |t| < 1: `1` is 100 %, not
    /// 1 %), a stop loss a fraction in (0, 1), a take profit and a size positive, a fractional size at most the
    /// leverage, an SMA period at least 1.
    private static func checkRanges(_ s: StrategySettings, leverage: Double) throws {
        for (key, value) in [("strategy.entry_threshold", s.entryThreshold), ("strategy.exit_threshold", s.exitThreshold),
                             ("strategy.short_entry_threshold", s.shortEntryThreshold),
                             ("strategy.short_exit_threshold", s.shortExitThreshold)] {
            try check(key, value, abs(value) < 1, "a return between -1 and 1 (0.01 is 1 %)")
        }
        if let stop = s.stopLoss { try check("strategy.stop_loss", stop, stop > 0 && stop < 1, "a fraction in (0, 1)") }
        if let take = s.takeProfit { try check("strategy.take_profit", take, take > 0, "positive") }
        switch s.size {
        case .fraction(let f):
            try check("strategy.size.fraction", f, f > 0 && f <= leverage,
                      "in (0, risk.max_leverage] = (0, \(leverage)]")
        case .units(let u):
            try check("strategy.size.units", u, u > 0, "positive")
        }
        guard s.smaPeriod >= 1 && s.smaPeriod <= 1_000_000 else {
            throw ConfigError.invalid("strategy.sma_period", "must be between 1 and 1000000, got \(s.smaPeriod)")
        }
    }

    private static func check(_ key: String, _ value: Double, _ inRange: Bool, _ expected: String) throws {
        if !inRange { throw ConfigError.outOfRange(key, value, expected: expected) }
    }

    /// The fully resolved configuration as canonical JSON (fixed key order), recorded in run manifests.
    public var canonicalJSON: String {
        var j = JSONWriter()
        j.object { writeCanonical(into: &$0) }
        return j.text
    }

    /// Writes the resolved configuration's fields, in their fixed order, into the object `j` is writing.
    public func writeCanonical(into j: inout JSONWriter) {
        j.field("data", data)
        j.field("symbol", symbol)
        j.field("predictions", predictions)
        if let model { j.field("model", model) }
        if let riskRules { j.field("risk_rules", riskRules) }
        // Written only when set, so that the run ids of configs without it are unchanged.
        if allowMissingPredictions { j.field("allow_missing_predictions", true) }
        if allowInSample { j.field("allow_in_sample", true) }
        j.field("start", start)
        j.field("end", end)
        j.field("on_bad_row", onBadRow.rawValue)
        j.field("initial_capital", execution.initialCapital)
        j.field("close_at_end", execution.closeAtEnd)
        j.objectField("strategy") { j in
            j.field("name", strategy.name)
            j.field("entry_threshold", strategy.entryThreshold)
            j.field("exit_threshold", strategy.exitThreshold)
            j.field("allow_short", strategy.allowShort)
            j.field("short_entry_threshold", strategy.shortEntryThreshold)
            j.field("short_exit_threshold", strategy.shortExitThreshold)
            j.field("stop_loss", strategy.stopLoss)
            j.field("take_profit", strategy.takeProfit)
            j.field("sma_period", strategy.smaPeriod)
            j.objectField("size") { j in
                switch strategy.size {
                case .fraction(let f): j.field("fraction", f)
                case .units(let u): j.field("units", u)
                }
            }
        }
        j.objectField("costs") { j in
            j.field("per_trade", execution.perTradeCost)
            j.field("slippage_bps", execution.slippageBps)
        }
        j.objectField("risk") { j in
            j.field("daily_loss_cap", execution.dailyLossCap)
            j.field("max_leverage", execution.maxLeverage)
        }
    }
}

/// One mapping of the config tree, with the keys it allows.
private struct Section {
    let mapping: Node.Mapping
    let path: String

    init(_ node: Node, path: String, known: [String]) throws {
        guard let m = node.mapping else {
            throw ConfigError.wrongType(path.isEmpty ? "config" : path, expected: "a mapping",
                                        got: node.scalar?.string ?? "a list")
        }
        for (k, _) in m {
            let key = k.scalar?.string ?? "?"
            if !known.contains(key) {
                throw ConfigError.unknownKey(path.isEmpty ? key : path + "." + key, known: known)
            }
        }
        self.mapping = m
        self.path = path
    }

    func full(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func node(_ key: String) -> Node? {
        guard let n = mapping[Node(key)] else { return nil }
        if let s = n.scalar, s.string == "null" || s.string == "~" || (s.string.isEmpty && s.style == .plain) {
            return nil
        }
        return n
    }

    func section(_ key: String, known: [String]) throws -> Section? {
        guard let n = node(key) else { return nil }
        return try Section(n, path: full(key), known: known)
    }

    func string(_ key: String) throws -> String? { try scalar(key, expected: "a string") }

    /// The scalar text at `key`; a mapping or list there is an error naming the type `expected`.
    private func scalar(_ key: String, expected: String) throws -> String? {
        guard let n = node(key) else { return nil }
        guard let s = n.scalar?.string else {
            throw ConfigError.wrongType(full(key), expected: expected, got: n.sequence != nil ? "a list" : "a mapping")
        }
        return s
    }

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw ConfigError.missing(full(key)) }
        return s
    }

    func double(_ key: String) throws -> Double? {
        guard let s = try scalar(key, expected: "a number") else { return nil }
        guard let v = Double(s.replacingOccurrences(of: "_", with: "")), v.isFinite else {
            throw ConfigError.wrongType(full(key), expected: "a number", got: s)
        }
        return v
    }

    func int(_ key: String) throws -> Int? {
        guard let s = try scalar(key, expected: "an integer") else { return nil }
        guard let v = Int(s) else { throw ConfigError.wrongType(full(key), expected: "an integer", got: s) }
        return v
    }

    func bool(_ key: String) throws -> Bool? {
        guard let s = try scalar(key, expected: "true or false") else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError.wrongType(full(key), expected: "true or false", got: s)
        }
    }
}
