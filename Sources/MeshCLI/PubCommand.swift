import ArgumentParser
import Foundation
import MeshKit

/// `MeshCtl pub TOPIC JSON`: injects one message.
public struct PubCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pub",
        abstract: "Publish one message built from JSON fields, e.g. MeshCtl pub ctl.kill '{\"reason\":\"manual\"}'.",
        discussion: """
            The message type follows from the topic (bar., pred., signal., order., fill., pnl., ctl.ready, \
            ctl.ack, ctl.kill, ctl.heartbeat); the fields are those MeshCtl tap prints (docs/wire.md). \
            To avoid losing the message to a subscriber that is still joining, pub waits (up to --wait seconds) \
            until the bus reports a subscription that matches the topic, then sends; without one it sends anyway \
            and says so on stderr.
            """)

    @Argument(help: "Topic, e.g. ctl.kill or bar.NVDA.")
    public var topic: String

    @Argument(help: "The message's fields as a JSON object.")
    public var json: String

    @Option(name: .long, help: "Sequence number to stamp.")
    public var seq: UInt64 = 1

    @Option(name: .long, help: "ts_event in nanoseconds (default: now).")
    public var tsEvent: Int64?

    @Option(name: .long, help: "Seconds to wait for a matching subscriber.")
    public var wait: Double = 5

    @Option(name: .long, help: "Source name to stamp.")
    public var source: String = "MeshCtl"

    @OptionGroup public var mesh: MeshOptions

    public init() {}

    public func run() async throws {
        try await failing {
            let message = try EnvelopeJSON.message(topic: topic, json: json)
            let now = SystemMeshClock().nowNanoseconds()
            let envelope = Envelope(topic: topic, source: source, seq: seq, tsEvent: tsEvent ?? now, tsInit: now,
                                    message: message)
            try Self.send(envelope, endpoints: try mesh.endpoints(), wait: wait)
        }
    }

    /// Publishes one control message from `MeshCtl`, stamped now, once a subscriber for `topic` is connected.
    static func send(_ message: MeshMessage, on topic: String, mesh: MeshOptions, wait: Double) throws {
        let now = SystemMeshClock().nowNanoseconds()
        try send(Envelope(topic: topic, source: "MeshCtl", seq: 1, tsEvent: now, tsInit: now, message: message),
                 endpoints: try mesh.endpoints(), wait: wait)
    }

    /// Publishes one envelope once a subscriber for its topic is connected (or `wait` seconds have passed).
    static func send(_ envelope: Envelope, endpoints: MeshEndpoints, wait: Double) throws {
        let topic = envelope.topic
        let ctx = try ZMQContext()
        let xpub = try ZMQSocket(context: ctx, type: .xpub)
        try xpub.setLinger(milliseconds: 2000)
        try xpub.setXPubVerbose(true)
        try xpub.connect(endpoints.frontend)
        let subscribed = try awaitSubscription(matching: topic, on: xpub, seconds: wait)
        if !subscribed {
            FileHandle.standardError.write(Data("pub: no subscriber for \(topic) after \(wait) s; sending anyway\n".utf8))
        }
        try xpub.send([WireCodec.frame(envelope)])
        xpub.close()
        ctx.terminate()
    }

    /// Reads XPUB subscription messages (`0x01` + prefix) until one matches `topic` or time runs out.
    static func awaitSubscription(matching topic: String, on xpub: ZMQSocket, seconds: Double) throws -> Bool {
        let bytes = Array(topic.utf8)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        var poller = ZMQPoller([.socket(xpub)])
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline { return false }
            guard try poller.poll(milliseconds: Int((deadline - now) / 1_000_000) + 1)[0] else { continue }
            let frame = try xpub.receive(dontWait: true)[0]
            if frame.first == 1, bytes.starts(with: frame.dropFirst()) { return true }
        }
    }
}
