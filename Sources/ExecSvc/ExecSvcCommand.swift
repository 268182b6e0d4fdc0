import ArgumentParser

@main
struct ExecSvcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ExecSvc")
    func run() throws {}
}
