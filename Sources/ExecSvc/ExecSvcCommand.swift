import ArgumentParser
import MeshCLI

/// `ExecSvc`: Executes signals through a broker; publishes order.*, fill.* and pnl.*.
@main
struct ExecSvcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ExecSvc",
        abstract: "Executes signals through a broker; publishes order.*, fill.* and pnl.*.",
        discussion: "Connects to the bus, announces ctl.ready, publishes ctl.heartbeat and stops cleanly on SIGTERM.")

    @OptionGroup var mesh: MeshOptions

    func run() async throws {
        try await ServiceRunner.run(name: "ExecSvc", subscriptions: ["bar.", "signal.", "ctl."], options: mesh)
    }
}
