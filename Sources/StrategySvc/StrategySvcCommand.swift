import ArgumentParser

@main
struct StrategySvcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "StrategySvc")
    func run() throws {}
}
