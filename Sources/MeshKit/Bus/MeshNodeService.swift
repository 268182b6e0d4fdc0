import Foundation
import Logging
import ServiceLifecycle

/// A mesh service as a swift-service-lifecycle `Service`: connects to the bus, proves that its subscriptions are
/// live, announces `ctl.ready`, publishes `ctl.heartbeat` every interval, hands every received message to
/// `handler`, and on graceful shutdown (SIGTERM) stops its tasks and closes the bus connection cleanly.
///
/// Readiness: a subscription travels to the forwarder asynchronously, so a service that announced itself right
/// after connecting could still miss the first messages sent to it. The node therefore publishes `ctl.probe` to
/// itself until one comes back; its subscriptions were made before the probe's, in order, so they are live too.
/// Only then does it publish `ctl.ready`, which is what a replay waits for.
public struct MeshNodeService: Service {
    /// What the node does after a message.
    public enum Next: Sendable {
        case proceed
        /// The node's work is done (e.g. a replay ended): stop and return normally.
        case finish
    }

    /// Called for every message the node receives (and for messages after a sequence gap, with `missing` > 0).
    public typealias Handler = @Sendable (_ envelope: Envelope, _ missing: UInt64, _ bus: BusConnection) async throws
        -> Next

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
        // The probe subscription comes last: when a probe arrives, every earlier subscription is live.
        let bus = BusConnection(source: name, endpoints: endpoints, subscriptions: subscriptions + [Topic.probe],
                                logger: logger)
        try bus.start()
        do {
            try await runTasks(bus: bus)
        } catch {
            await bus.shutdown()
            throw error
        }
        logger.info("service stopping", metadata: ["service": "\(name)"])
        await bus.shutdown()
    }

    private func runTasks(bus: BusConnection) async throws {
        let interval = endpoints.heartbeatInterval
        let clock = self.clock
        let name = self.name
        let handler = self.handler
        let gapPolicy = self.gapPolicy
        let subscriptions = self.subscriptions
        let logger = self.logger
        let readiness = ReadinessFlag()
        try await cancelWhenGracefulShutdown {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await event in bus.events {
                        let (envelope, missing): (Envelope, UInt64)
                        switch event {
                        case .message(let e): (envelope, missing) = (e, 0)
                        case .gap(let e, let m): (envelope, missing) = (e, m)
                        }
                        if envelope.topic == Topic.probe {
                            if envelope.source == name && readiness.set() {
                                let now = clock.nowNanoseconds()
                                bus.publish(topic: Topic.ready, message: .ready(service: name, topics: subscriptions),
                                            tsEvent: now, tsInit: now)
                                logger.info("service ready", metadata: [
                                    "service": "\(name)", "subscriptions": "\(subscriptions)",
                                ])
                            }
                            continue
                        }
                        if missing > 0 && gapPolicy == .fatal {
                            throw MeshError.protocolFailure(
                                "sequence gap on \(envelope.topic) from \(envelope.source): \(missing) message(s) "
                                    + "missing before seq \(envelope.seq) (gap policy: fatal)")
                        }
                        if try await handler(envelope, missing, bus) == .finish { return }
                    }
                }
                group.addTask {
                    // Probes until the node hears itself, then heartbeats.
                    while !readiness.isSet {
                        let now = clock.nowNanoseconds()
                        bus.publish(topic: Topic.probe, message: .ready(service: name, topics: subscriptions),
                                    tsEvent: now, tsInit: now)
                        do { try await Task.sleep(for: .milliseconds(20)) } catch { return }
                    }
                    while !Task.isCancelled {
                        let s = bus.currentStats()
                        let t = clock.nowNanoseconds()
                        bus.publish(topic: Topic.heartbeat, message: .heartbeat(Heartbeat(
                            service: name, messagesIn: s.messagesIn, messagesOut: s.messagesOut, dropped: s.dropped,
                            gaps: s.gaps, lastSeq: s.lastSeq)), tsEvent: t, tsInit: t)
                        do { try await Task.sleep(for: interval) } catch { return }
                    }
                }
                // The first task to finish (or throw) ends the node; cancel the other.
                try await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Set once, read from several tasks.
final class ReadinessFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    /// Sets the flag; true if this call set it.
    func set() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if value { return false }
        value = true
        return true
    }
}
