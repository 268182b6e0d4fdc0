import ArgumentParser
import MeshKit

/// `MeshCtl proxy`: the bus forwarder every service connects to.
public struct ProxyCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "proxy",
        abstract: "Run the bus forwarder (XSUB frontend ↔ XPUB backend) that every service connects to.")

    @OptionGroup public var mesh: MeshOptions

    public init() {}

    public func run() async throws {
        try await failing {
            let logger = mesh.logger(label: "MeshCtl.proxy")
            let proxy = try BusProxy(endpoints: try mesh.endpoints(), logger: logger)
            try proxy.start()
            let stop = SignalStop { proxy.stop() }
            proxy.wait()
            withExtendedLifetime(stop) {}
            logger.info("bus forwarder stopped")
        }
    }
}
