import ArgumentParser

@main
struct BusBenchCommand: ParsableCommand {
    func run() throws {}
}
