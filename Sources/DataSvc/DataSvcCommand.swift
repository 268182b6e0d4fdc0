import ArgumentParser

@main
struct DataSvcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "DataSvc")
    func run() throws {}
}
