import TradingCore

/// A `sweep.csv` read back: the header and one row of fields per parameter set, for ranking and the sweep page.
public struct SweepTable: Sendable {
    public let columns: [String]
    public let rows: [[String]]
    /// The grid's keys: the columns between `index` and the first metric.
    public let parameters: [String]

    /// Parses `sweep.csv` text (fields quoted when they hold a comma, a quote or a line break).
    public init(csv: String, file: String) throws {
        var records = Self.records(csv)
        guard let header = records.first, header.first == "index" else {
            throw ConfigError.unreadable(file, "not a sweep.csv (its first column must be index)")
        }
        records.removeFirst()
        for (n, r) in records.enumerated() where r.count != header.count {
            throw ConfigError.unreadable(file, "line \(n + 2): \(r.count) fields for \(header.count) columns")
        }
        columns = header
        rows = records
        let firstMetric = header.firstIndex(of: SweepRunner.metricColumns[0]) ?? header.count
        parameters = Array(header[1..<firstMetric])
    }

    /// The numeric value of `column` in a row; nil when empty (a metric that is not defined, such as the Sharpe
    /// ratio of a run without trades) or not a number.
    public func number(_ row: [String], _ column: Int) -> Double? { Double(row[column]) }

    /// The rows that satisfy every constraint, best first by `metric` (greater is better; rows where it is empty
    /// come last, in index order), at most `count` of them.
    public func best(maximizing metric: String, constraints: [SweepConstraint] = [], count: Int) throws -> [[String]] {
        let m = try column(metric)
        let resolved = try constraints.map { (try column($0.column), $0) }
        let kept = rows.filter { row in resolved.allSatisfy { c, constraint in constraint.holds(number(row, c)) } }
        let ordered = kept.enumerated().sorted { a, b in
            switch (number(a.element, m), number(b.element, m)) {
            case let (x?, y?) where x != y: return x > y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.offset < b.offset
            }
        }
        return ordered.prefix(count).map(\.element)
    }

    /// The index of a column, or an error naming the known ones.
    public func column(_ name: String) throws -> Int {
        guard let i = columns.firstIndex(of: name) else {
            throw ConfigError.invalid("sweep", "no column '\(name)' (known: \(columns.dropFirst().joined(separator: ", ")))")
        }
        return i
    }

    /// Splits CSV text into records of fields.
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    // A doubled quote is a quote; anything else closes the field and is read unquoted.
                    let next = iterator.next()
                    if next == "\"" { field.append("\"") } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"": quoted = true
            case ",": fields.append(field); field = ""
            case "\n", "\r\n":
                fields.append(field); field = ""
                records.append(fields); fields = []
            default: field.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            records.append(fields)
        }
        return records
    }
}

/// A condition on a sweep row: `column op number`, e.g. `num_trades >= 20` or `max_drawdown < 0.25`. A row whose
/// value is empty does not satisfy it.
public struct SweepConstraint: Sendable, Equatable {
    public enum Operator: String, Sendable, CaseIterable { case ge = ">=", le = "<=", ne = "!=", eq = "==", gt = ">", lt = "<" }
    public let column: String
    public let op: Operator
    public let value: Double
    /// The condition as written.
    public let text: String

    /// Parses `column op number`.
    public init(parsing text: String) throws {
        self.text = text
        for op in Operator.allCases {
            guard let r = text.range(of: op.rawValue) else { continue }
            let name = text[..<r.lowerBound].trimmingCharacters(in: " ")
            let number = text[r.upperBound...].trimmingCharacters(in: " ")
            guard !name.isEmpty, let v = Double(number), v.isFinite else { break }
            column = name
            self.op = op
            value = v
            return
        }
        throw ConfigError.invalid("--constraint", "expected 'column op number' with op one of "
                                  + Operator.allCases.map(\.rawValue).joined(separator: " ") + ", got '\(text)'")
    }

    /// Whether a value satisfies it.
    public func holds(_ x: Double?) -> Bool {
        guard let x else { return false }
        switch op {
        case .ge: return x >= value
        case .le: return x <= value
        case .gt: return x > value
        case .lt: return x < value
        case .eq: return x == value
        case .ne: return x != value
        }
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
