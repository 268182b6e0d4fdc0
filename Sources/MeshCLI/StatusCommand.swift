import ArgumentParser
import Foundation
import MeshKit
import TradingCore

#if canImport(Glibc)
import Glibc
#endif

/// `MeshCtl status [COMPOSE]`: each service's last heartbeat and counters.
public struct StatusCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each service's heartbeat: age, messages in/out, dropped (undecodable), gaps, last seq.",
        discussion: """
            Listens to ctl.heartbeat and ctl.ready for --duration seconds (default: 2.5 heartbeat intervals) and \
            prints one line per service. With a compose file (or --run-dir) it watches the bus of that project's \
            `MeshCtl up`; with --backend, --mesh-config or TRADEMESH_BUS_BACKEND that bus; otherwise the mesh \
            `MeshCtl up` runs from ./compose/compose.yaml if there is one, else config/mesh.yaml's bus. --watch refreshes \
            every heartbeat interval until Ctrl-C. Exit status 1 when no heartbeat arrived, or when a service \
            named by --require sent none.
            """)

    @OptionGroup public var project: ComposeOptions

    @OptionGroup public var mesh: MeshOptions

    @Option(help: "Seconds to listen before printing (default: 2.5 heartbeat intervals).")
    public var duration: Double?

    @Flag(help: "Refresh the table every heartbeat interval until interrupted.")
    public var watch = false

    @Option(parsing: .upToNextOption, help: "Services that must have sent a heartbeat, e.g. --require ExecSvc DataSvc.")
    public var require: [String] = []

    public init() {}

    /// The state of a running `MeshCtl up` of `compose/compose.yaml` in the current directory, if any.
    static func runningDefaultProject(_ project: ComposeOptions) -> ComposeState? {
        guard FileManager.default.fileExists(atPath: ComposeOptions.defaultPath),
              let (_, layout) = try? project.load(),
              let state = try? project.runningState(layout), ComposeReport.anyRunning(state) else { return nil }
        return state
    }

    public func run() async throws {
        try await failing {
            let meshEndpoints = try mesh.endpoints()
            var backend = meshEndpoints.backend
            if mesh.backend == nil, project.compose != nil || project.runDirectory != nil {
                let (_, layout) = try project.load()
                backend = try project.runningState(layout)?.backend ?? layout.backend
            } else if mesh.backend == nil, mesh.meshConfig == nil,
                      ProcessInfo.processInfo.environment["TRADEMESH_BUS_BACKEND"] == nil,
                      let state = Self.runningDefaultProject(project) {
                backend = state.backend   // the mesh `MeshCtl up` runs from ./compose/compose.yaml
            }
            let interval = meshEndpoints.heartbeatInterval.inSeconds
            let window = duration ?? interval * 2.5
            guard window > 0 else { throw ValidationError("--duration must be positive") }
            let logger = mesh.logger(label: "MeshCtl.status")
            let ctx = try ZMQContext()
            let sub = try ZMQSocket(context: ctx, type: .sub)
            try sub.setLinger(milliseconds: 0)
            try sub.subscribe(Topic.heartbeat)
            try sub.subscribe(Topic.ready)
            try sub.connect(backend)
            let watch = self.watch
            let bus = backend
            let board = try await GracefulShutdown.run(logger: logger, stop: { ctx.shutdown() }) {
                var board = StatusBoard()
                var monitor = StreamMonitor()
                var poller = ZMQPoller([.socket(sub)])
                let out = FileHandle.standardOutput
                let clear = watch && isatty(STDOUT_FILENO) == 1
                var interrupted = false
                var first = true
                repeat {
                    let seconds = first ? window : interval
                    first = false
                    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
                    do {
                        while case let now = DispatchTime.now().uptimeNanoseconds, now < deadline {
                            guard try poller.poll(milliseconds: Int((deadline - now) / 1_000_000) + 1)[0] else {
                                continue
                            }
                            while let frames = try? sub.receive(dontWait: true) {
                                switch monitor.check(frames, logger: logger) {
                                case .message(let e), .messageAfterGap(let e, _):
                                    board.record(e, at: DispatchTime.now().uptimeNanoseconds)
                                case .garbage:
                                    break
                                }
                            }
                        }
                    } catch let error as ZMQError where error.kind == .terminated {
                        interrupted = true
                    }
                    var text = clear ? "\u{1B}[H\u{1B}[2J" : (watch ? "\n" : "")
                    text += "bus \(bus)\n"
                    text += board.render(now: DispatchTime.now().uptimeNanoseconds).joined(separator: "\n") + "\n"
                    if !interrupted || !watch { out.write(Data(text.utf8)) }
                } while watch && !interrupted
                sub.close()
                ctx.terminate()
                return board
            }
            if watch { return }
            if board.heartbeatCount == 0 {
                throw MeshError.protocolFailure("no heartbeat on \(backend) in \(window) s: is the mesh running?")
            }
            let silent = require.filter { board.rows[$0]?.heartbeat == nil }
            if !silent.isEmpty {
                throw MeshError.protocolFailure("no heartbeat from \(silent.joined(separator: ", ")) in \(window) s")
            }
        }
    }
}
