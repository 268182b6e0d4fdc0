import ArgumentParser
import Foundation
import Logging
import MeshKit

/// `MeshCtl tap [PREFIX...]`: prints every matching message as one JSON object per line.
public struct TapCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tap",
        abstract: "Print every message whose topic starts with one of the prefixes, one JSON object per line.",
        discussion: """
            With no prefix, every topic. Undecodable messages are counted and reported on stderr, never printed. \
            Exit status: 0 when --count messages arrived (or on SIGTERM/SIGINT, or at --timeout without --count); \
            1 when --timeout expires before --count messages.
            """)

    @Argument(help: "Topic prefixes, e.g. bar. fill.NVDA ctl.")
    public var prefixes: [String] = []

    @Option(name: .long, help: "Exit after this many messages.")
    public var count: Int?

    @Option(name: .long, help: "Give up after this many seconds.")
    public var timeout: Double?

    @OptionGroup public var mesh: MeshOptions

    public init() {}

    public func run() async throws {
        try await failing {
            let logger = mesh.logger(label: "MeshCtl.tap")
            let endpoints = try mesh.endpoints()
            let ctx = try ZMQContext()
            let sub = try ZMQSocket(context: ctx, type: .sub)
            try sub.setLinger(milliseconds: 0)
            try sub.setReceiveHighWaterMark(0)
            for p in prefixes.isEmpty ? [""] : prefixes { try sub.subscribe(p) }
            try sub.connect(endpoints.backend)
            // A direct-mode mesh (TRADEMESH_BUS_PEERS): the services' own publishers, which the forwarder does not see.
            for peer in endpoints.peers { try sub.connect(peer.endpoint) }
            let (count, timeout) = (self.count, self.timeout)
            let (monitor, printed, timedOut) = try await GracefulShutdown.run(logger: logger, stop: { ctx.shutdown() }) {
                var monitor = StreamMonitor()
                var printed = 0
                var poller = ZMQPoller([.socket(sub)])
                let deadline = timeout.map { DispatchTime.now().uptimeNanoseconds + UInt64($0 * 1e9) }
                let out = FileHandle.standardOutput
                var timedOut = false
                loop: while count.map({ printed < $0 }) ?? true {
                    var wait = -1
                    if let deadline {
                        let now = DispatchTime.now().uptimeNanoseconds
                        if now >= deadline { timedOut = true; break }
                        wait = Int((deadline - now) / 1_000_000) + 1
                    }
                    do {
                        guard try poller.poll(milliseconds: wait)[0] else { continue }
                        while count.map({ printed < $0 }) ?? true {
                            let frames = try sub.receive(dontWait: true)
                            switch monitor.check(frames, logger: logger) {
                            case .message(let e), .messageAfterGap(let e, _):
                                out.write(Data((EnvelopeJSON.line(e) + "\n").utf8))
                                printed += 1
                            case .garbage:
                                break
                            }
                        }
                    } catch let error as ZMQError where error.kind == .wouldBlock {
                        continue
                    } catch let error as ZMQError where error.kind == .terminated {
                        break loop
                    }
                }
                sub.close()
                ctx.terminate()
                return (monitor, printed, timedOut)
            }
            if monitor.garbageCount > 0 || monitor.gapCount > 0 {
                logger.warning("tap finished with bad traffic", metadata: [
                    "undecodable": "\(monitor.garbageCount)", "gaps": "\(monitor.gapCount)",
                ])
            }
            if timedOut, let count {
                FileHandle.standardError.write(Data("tap: timed out after \(printed) of \(count) messages\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
