import ArgumentParser

@main
struct LoadBenchCommand: ParsableCommand {
    func run() throws {}
}
