import ArgumentParser
import Foundation
import MeshKit

/// `MeshCtl proxy`: the bus forwarder every service connects to.
public struct ProxyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the bus forwarder (XSUB frontend ↔ XPUB backend) that every service connects to.",
        discussion: """
            Exits 1 at once, naming the endpoint and the reason, when an endpoint cannot be bound — including an             ipc endpoint another running forwarder holds (its pid is named; a dead forwarder's socket files are             removed instead). A tcp endpoint may ask for a free port (tcp://127.0.0.1:*); --endpoints-file then             tells where it listens.
            """)

    @OptionGroup public var mesh: MeshOptions

    @Option(name: .customLong("endpoints-file"), help: """
        Once listening, write the frontend and backend endpoints as bound (a wildcard port resolved), one per line,         to this file (written whole: a reader never sees half of it).
        """)
    public var endpointsFile: String?

    public init() {}

    public func run() async throws {
        try await failing {
            let logger = mesh.logger(label: "MeshCtl.proxy")
            let proxy = try BusProxy(endpoints: try mesh.endpoints(), logger: logger)
            try proxy.start()
            if let endpointsFile, let bound = proxy.boundEndpoints {
                let partial = endpointsFile + ".partial"
                try Data("\(bound.frontend)\n\(bound.backend)\n".utf8).write(to: URL(fileURLWithPath: partial))
                guard rename(partial, endpointsFile) == 0 else {
                    proxy.stop()
                    throw ValidationError("cannot write \(endpointsFile): \(String(cString: strerror(errno)))")
                }
            }
            try await GracefulShutdown.run(logger: logger, stop: { proxy.stop() }) { proxy.wait() }
            logger.info("bus forwarder stopped")
        }
    }
}
