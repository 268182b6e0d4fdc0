import ArgumentParser

@main
struct MeshCtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "MeshCtl")
    func run() throws {}
}
