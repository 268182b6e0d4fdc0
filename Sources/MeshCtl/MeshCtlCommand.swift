import ArgumentParser
import MeshCLI

/// `MeshCtl`: run the bus forwarder, watch topics, inject messages, run the mesh from its compose file.
@main
struct MeshCtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "MeshCtl",
        abstract: "Control and observe the TradeMesh bus.",
        subcommands: [ProxyCommand.self, TapCommand.self, PubCommand.self, UpCommand.self, DownCommand.self,
                      StatusCommand.self, KillCommand.self, ResumeCommand.self])
}
