import Foundation

/// What `MeshCtl status` knows about each service from `ctl.heartbeat` and `ctl.ready`, and the table it prints.
public struct StatusBoard: Sendable {
    public struct Row: Sendable, Equatable {
        public var service: String
        /// Monotonic nanoseconds when the last heartbeat arrived.
        public var lastHeartbeatAt: UInt64?
        public var heartbeat: Heartbeat?
        /// Monotonic nanoseconds when a `ctl.ready` arrived.
        public var readyAt: UInt64?
    }

    public private(set) var rows: [String: Row] = [:]

    public init() {}

    /// Records a message; anything other than a heartbeat or a ready announcement is ignored.
    public mutating func record(_ envelope: Envelope, at now: UInt64) {
        switch envelope.message {
        case .heartbeat(let h):
            var row = rows[h.service] ?? Row(service: h.service)
            row.heartbeat = h
            row.lastHeartbeatAt = now
            rows[h.service] = row
        case .ready(let service, _):
            var row = rows[service] ?? Row(service: service)
            row.readyAt = now
            rows[service] = row
        default:
            break
        }
    }

    public var heartbeatCount: Int { rows.values.filter { $0.heartbeat != nil }.count }

    /// The table, one service per line in name order, ages relative to `now`.
    public func render(now: UInt64) -> [String] {
        let header = ["SERVICE", "HEARTBEAT", "IN", "OUT", "DROPPED", "GAPS", "LAST SEQ"]
        var lines: [[String]] = [header]
        for row in rows.values.sorted(by: { $0.service < $1.service }) {
            let age: String
            if let at = row.lastHeartbeatAt {
                age = Self.age(nanoseconds: now >= at ? now - at : 0)
            } else {
                age = row.readyAt != nil ? "ready, none yet" : "-"
            }
            let h = row.heartbeat
            lines.append([row.service, age] + [h?.messagesIn, h?.messagesOut, h?.dropped, h?.gaps, h?.lastSeq]
                            .map { $0.map(String.init) ?? "-" })
        }
        let widths = header.indices.map { col in lines.map { $0[col].count }.max() ?? 0 }
        return lines.map { cells in
            cells.enumerated().map { col, text in
                let pad = String(repeating: " ", count: widths[col] - text.count)
                return col < 2 ? text + pad : pad + text   // names left, numbers right
            }.joined(separator: "  ")
        }
    }

    static func age(nanoseconds: UInt64) -> String {
        let seconds = Double(nanoseconds) / 1e9
        if seconds < 60 { return String(format: "%.1fs ago", seconds) }
        return "\(Int(seconds) / 60)m\(Int(seconds) % 60)s ago"
    }
}
