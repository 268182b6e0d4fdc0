import Logging
import ServiceLifecycle

/// A mesh service as a swift-service-lifecycle `Service`: connects to the bus, announces `ctl.ready`, publishes
/// `ctl.heartbeat` every interval, hands every received message to `handler`, and on graceful shutdown (SIGTERM)
/// stops its tasks and closes the bus connection cleanly.
public struct MeshNodeService: Service {
    /// Called for every message the node receives (and for messages after a sequence gap, with `missing` > 0).
    public typealias Handler = @Sendable (_ envelope: Envelope, _ missing: UInt64, _ bus: BusConnection) async -> Void

    public let name: String
    private let endpoints: MeshEndpoints
    private let subscriptions: [String]
    private let clock: any MeshClock
    private let logger: Logger
    private let handler: Handler
    private let gapPolicy: GapPolicy

    /// - Parameter gapPolicy: `.fatal` ends `run()` with an error at the first sequence gap (replay mode).
    public init(name: String, endpoints: MeshEndpoints, subscriptions: [String], clock: any MeshClock,
                logger: Logger, gapPolicy: GapPolicy = .report, handler: @escaping Handler) {
        self.name = name
        self.gapPolicy = gapPolicy
        self.endpoints = endpoints
        self.subscriptions = subscriptions
        self.clock = clock
        self.logger = logger
        self.handler = handler
    }

    public func run() async throws {
        let bus = BusConnection(source: name, endpoints: endpoints, subscriptions: subscriptions, logger: logger)
        try bus.start()
        let now = clock.nowNanoseconds()
        bus.publish(topic: Topic.ready, message: .ready(service: name, topics: subscriptions), tsEvent: now, tsInit: now)
        logger.info("service ready", metadata: ["service": "\(name)", "subscriptions": "\(subscriptions)"])
        let interval = endpoints.heartbeatInterval
        let clock = self.clock
        let name = self.name
        let handler = self.handler
        let gapPolicy = self.gapPolicy
        do {
            try await runTasks(bus: bus, interval: interval, clock: clock, name: name, handler: handler,
                               gapPolicy: gapPolicy)
        } catch {
            await bus.shutdown()
            throw error
        }
        logger.info("service stopping", metadata: ["service": "\(name)"])
        await bus.shutdown()
    }

    private func runTasks(bus: BusConnection, interval: Duration, clock: any MeshClock, name: String,
                          handler: @escaping Handler, gapPolicy: GapPolicy) async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in bus.events {
                        switch event {
                        case .message(let e):
                            await handler(e, 0, bus)
                        case .gap(let e, let missing):
                            await handler(e, missing, bus)
                            if gapPolicy == .fatal {
                                throw MeshError.protocolFailure(
                                    "sequence gap on \(e.topic) from \(e.source): \(missing) message(s) missing "
                                        + "before seq \(e.seq) (gap policy: fatal)")
                            }
                        }
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await Task.sleep(for: interval)
                        } catch {
                            return
                        }
                        let s = bus.currentStats()
                        let t = clock.nowNanoseconds()
                        bus.publish(topic: Topic.heartbeat, message: .heartbeat(Heartbeat(
                            service: name, messagesIn: s.messagesIn, messagesOut: s.messagesOut, dropped: s.dropped,
                            gaps: s.gaps, lastSeq: s.lastSeq)), tsEvent: t, tsInit: t)
                    }
                }
                // The first task to finish (or throw) ends the node; cancel the other.
                try await group.next()
                group.cancelAll()
            }
        }
    }
}
