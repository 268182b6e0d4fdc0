import Foundation
import Yams

/// Where the bus forwarder listens (`config/mesh.yaml`, overridable by environment variables).
///
/// Services publish to `frontend` (the forwarder's XSUB side) and subscribe at `backend` (its XPUB side).
public struct MeshEndpoints: Sendable, Equatable {
    public var frontend: String
    public var backend: String
    /// How often services publish `ctl.heartbeat`.
    public var heartbeatInterval: Duration
    /// Direct mode (empty = off): every listed service binds its own publisher at its endpoint and every
    /// service subscribes at all of them (and still at `backend`, for outside publishers), so the mesh's own
    /// traffic skips the forwarder. `Backtester replay` sets it through `TRADEMESH_BUS_PEERS`.
    public var peers: [Peer] = []

    /// One service's own publisher in direct mode.
    public struct Peer: Sendable, Equatable {
        public var name: String
        public var endpoint: String
        public init(name: String, endpoint: String) {
            self.name = name
            self.endpoint = endpoint
        }
    }

    /// The subscription a direct-mode subscriber makes last at every peer. It sorts after every topic, and a
    /// subscriber sends its subscriptions in order (libzmq replays them sorted on connect), so a publisher that
    /// has seen this prefix from every peer knows all their subscriptions are in place. Nobody publishes on it.
    public static let peerMarker = "~peer"

    /// `TRADEMESH_BUS_PEERS`: `name=endpoint` pairs separated by commas.
    public static func parsePeers(_ text: String) throws -> [Peer] {
        try text.split(separator: ",").map { item in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty,
                  parts[1].hasPrefix("ipc://") || parts[1].hasPrefix("tcp://") || parts[1].hasPrefix("inproc://")
            else {
                throw MeshError.config("TRADEMESH_BUS_PEERS: expected name=endpoint pairs separated by commas, got '\(item)'")
            }
            return Peer(name: parts[0], endpoint: parts[1])
        }
    }

    public static let defaultFrontend = "ipc:///tmp/trademesh/trademesh/bus-in.ipc"
    public static let defaultBackend = "ipc:///tmp/trademesh/trademesh/bus-out.ipc"

    public init(frontend: String = defaultFrontend, backend: String = defaultBackend,
                heartbeatInterval: Duration = .seconds(1)) {
        self.frontend = frontend
        self.backend = backend
        self.heartbeatInterval = heartbeatInterval
    }

    /// Reads `path` (if given and present), then applies `TRADEMESH_BUS_FRONTEND` / `TRADEMESH_BUS_BACKEND` / `TRADEMESH_BUS_PEERS` /
    /// `TRADEMESH_HEARTBEAT_MS` from `environment`.
    public static func load(path: String?, environment: [String: String]) throws -> MeshEndpoints {
        var e = MeshEndpoints()
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MeshError.config("\(path): no such file")
            }
            try e.apply(yaml: String(decoding: data, as: UTF8.self), file: path)
        }
        if let v = environment["TRADEMESH_BUS_FRONTEND"], !v.isEmpty { e.frontend = v }
        if let v = environment["TRADEMESH_BUS_BACKEND"], !v.isEmpty { e.backend = v }
        if let v = environment["TRADEMESH_BUS_PEERS"], !v.isEmpty { e.peers = try parsePeers(v) }
        if let v = environment["TRADEMESH_HEARTBEAT_MS"] {
            guard let ms = Int(v), ms > 0 else { throw MeshError.config("TRADEMESH_HEARTBEAT_MS: expected milliseconds, got '\(v)'") }
            e.heartbeatInterval = .milliseconds(ms)
        }
        return e
    }

    mutating func apply(yaml: String, file: String) throws {
        guard let root = try? Yams.compose(yaml: yaml), let top = root.mapping else {
            throw MeshError.config("\(file): expected a mapping with a `bus:` section")
        }
        for (k, v) in top {
            switch k.string {
            case "bus":
                guard let bus = v.mapping else { throw MeshError.config("\(file): bus: expected a mapping") }
                for (bk, bv) in bus {
                    switch bk.string {
                    case "frontend": frontend = try endpoint(bv, "bus.frontend", file)
                    case "backend": backend = try endpoint(bv, "bus.backend", file)
                    default:
                        throw MeshError.config("\(file): bus.\(bk.string ?? "?"): unknown key (known: frontend, backend)")
                    }
                }
            case "heartbeat_interval_ms":
                guard let ms = v.int, ms > 0 else {
                    throw MeshError.config("\(file): heartbeat_interval_ms: expected a positive integer")
                }
                heartbeatInterval = .milliseconds(ms)
            default:
                throw MeshError.config("\(file): \(k.string ?? "?"): unknown key (known: bus, heartbeat_interval_ms)")
            }
        }
    }

    private func endpoint(_ node: Node, _ key: String, _ file: String) throws -> String {
        guard let s = node.string, s.hasPrefix("ipc://") || s.hasPrefix("tcp://") || s.hasPrefix("inproc://") else {
            throw MeshError.config("\(file): \(key): expected an ipc://, tcp:// or inproc:// endpoint")
        }
        return s
    }

    /// Creates the directory of an `ipc://` endpoint so that binding to it works.
    public static func prepareDirectory(for endpoint: String) {
        guard endpoint.hasPrefix("ipc://") else { return }
        let path = String(endpoint.dropFirst("ipc://".count))
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
    }
}
