import ArgumentParser
import MeshKit

/// `MeshCtl kill`: the kill switch — every execution service cancels its open order and refuses every decision
/// until `MeshCtl resume`; with `--flatten` it also closes its positions at the next bar's open.
public struct KillCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Kill switch: halt trading on the mesh (cancel open orders; with --flatten close positions).",
        discussion: "Publishes ctl.kill. ExecSvc also takes SIGUSR1 as a kill switch. Lift it with MeshCtl resume.")

    @Option(help: "Why (logged by every service and kept with the event).")
    public var reason: String = "manual"

    @Flag(help: "Also close every position at the next bar's open.")
    public var flatten = false

    @Option(name: .long, help: "Seconds to wait for a subscriber.")
    public var wait: Double = 5

    @OptionGroup public var mesh: MeshOptions

    public init() {}

    public func run() async throws {
        try await failing {
            try PubCommand.send(.kill(reason: reason, flatten: flatten), on: Topic.kill, mesh: mesh, wait: wait)
            print("kill switch sent: \(reason)\(flatten ? " (flatten)" : "")")
        }
    }
}

/// `MeshCtl resume`: lifts the kill switch.
public struct ResumeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Lift the kill switch: execution services carry out decisions again.",
        discussion: "Publishes ctl.resume. A daily-loss halt is not lifted by this; it lasts until the next day.")

    @Option(help: "Why (logged by every service).")
    public var reason: String = "manual"

    @Option(name: .long, help: "Seconds to wait for a subscriber.")
    public var wait: Double = 5

    @OptionGroup public var mesh: MeshOptions

    public init() {}

    public func run() async throws {
        try await failing {
            try PubCommand.send(.resume(reason: reason), on: Topic.resume, mesh: mesh, wait: wait)
            print("resume sent: \(reason)")
        }
    }
}
