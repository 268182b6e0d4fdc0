import ArgumentParser
import Logging
import MeshKit
import MeshServices
import ServiceLifecycle

/// Runs one mesh service node under a `ServiceGroup` that turns SIGTERM and SIGINT into a graceful shutdown.
public enum ServiceRunner {
    /// Handles one message for a node; the default only logs kill switches and gaps.
    public typealias Work = @Sendable (_ envelope: Envelope, _ publish: MeshNodeService.Publish) throws
        -> MeshNodeService.Next

    public static func run(name: String, subscriptions: [String], options: MeshOptions, logger: Logger? = nil,
                           work: Work? = nil, batchEnd: MeshNodeService.BatchEnd? = nil,
                           onReady: MeshNodeService.BatchEnd? = nil, watch: MeshNodeService.Watch? = nil)
        async throws {
        try await failing {
            StreamingAllocator.configure()
            let logger = logger ?? options.logger(label: name)
            let endpoints = try options.endpoints()
            let node = MeshNodeService(
                name: name, endpoints: endpoints, subscriptions: subscriptions, clock: SystemMeshClock(),
                logger: logger, gapPolicy: options.gapPolicy, batchEnd: batchEnd, onReady: onReady,
                watch: watch
            ) { envelope, missing, publish in
                if case .kill(let reason, let flatten) = envelope.message, envelope.topic == Topic.kill {
                    logger.warning("kill switch received", metadata: [
                        "reason": "\(reason)", "flatten": "\(flatten)", "from": "\(envelope.source)",
                    ])
                }
                if missing > 0 {
                    logger.error("messages missing before this one", metadata: [
                        "topic": "\(envelope.topic)", "missing": "\(missing)",
                    ])
                }
                return try work?(envelope, publish) ?? .proceed
            }
            let group = ServiceGroup(configuration: .init(
                services: [.init(service: node, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            try await group.run()
        }
    }
}
