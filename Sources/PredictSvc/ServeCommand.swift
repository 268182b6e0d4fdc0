import ArgumentParser
import MeshCLI

/// `PredictSvc serve`: the prediction service node on the bus.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the prediction service: subscribe to bar.*, publish pred.<SYMBOL>.",
        discussion: "Connects to the bus, announces ctl.ready, publishes ctl.heartbeat and stops cleanly on SIGTERM.")

    @OptionGroup var mesh: MeshOptions

    func run() async throws {
        try await ServiceRunner.run(name: "PredictSvc", subscriptions: ["bar.", "ctl."], options: mesh)
    }
}
