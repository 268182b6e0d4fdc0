import ArgumentParser
import MeshCLI

/// `DataSvc`: Publishes bars on bar.<SYMBOL> (replay or live).
@main
struct DataSvcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "DataSvc",
        abstract: "Publishes bars on bar.<SYMBOL> (replay or live).",
        discussion: """
            Without a subcommand: connects to the bus, announces ctl.ready, publishes ctl.heartbeat and stops \
            cleanly on SIGTERM. `DataSvc replay` replays bars under the virtual clock; `DataSvc live` is a paced live feed.
            """,
        subcommands: [ReplayCommand.self, LiveCommand.self])

    @OptionGroup var mesh: MeshOptions

    func run() async throws {
        try await ServiceRunner.run(name: "DataSvc", subscriptions: ["ctl."], options: mesh)
    }
}
