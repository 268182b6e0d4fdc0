import ArgumentParser

@main
struct EngineBenchCommand: ParsableCommand {
    func run() throws {}
}
