import ArgumentParser
import MeshCLI

/// `StrategySvc`: Turns bars and predictions into signals on signal.<SYMBOL>.
@main
struct StrategySvcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "StrategySvc",
        abstract: "Turns bars and predictions into signals on signal.<SYMBOL>.",
        discussion: "Connects to the bus, announces ctl.ready, publishes ctl.heartbeat and stops cleanly on SIGTERM.")

    @OptionGroup var mesh: MeshOptions

    func run() async throws {
        try await ServiceRunner.run(name: "StrategySvc", subscriptions: ["bar.", "pred.", "ctl."], options: mesh)
    }
}
