import ArgumentParser
import MeshCLI

/// `MeshCtl`: run the bus forwarder, watch topics, inject messages.
@main
struct MeshCtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "MeshCtl",
        abstract: "Control and observe the TradeMesh bus.",
        subcommands: [ProxyCommand.self, TapCommand.self, PubCommand.self, KillCommand.self, ResumeCommand.self])
}
