import ArgumentParser
import Foundation
import MeshKit
import MeshServices

/// `MeshCtl kill`: the kill switch — every execution service cancels its open order and refuses every decision
/// until `MeshCtl resume`; with `--flatten` it also closes its positions at the next bar's open.
public struct KillCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kill",
        abstract: "Kill switch: halt trading on the mesh (cancel open orders; with --flatten close positions).",
        discussion: """
            Publishes ctl.kill and waits for the execution services' acknowledgements (ctl.kill.ack, sent once the \
            kill is journaled); prints which services acknowledged, and exits 1 when none did within --timeout: \
            then the switch may not be engaged. Anyone on the local bus may engage it. ExecSvc also takes SIGUSR1 \
            as a kill switch. Lift it with MeshCtl resume.
            """)

    @Option(help: "Why (logged by every service and kept with the event).")
    public var reason: String = "manual"

    @Flag(help: "Also close every position at the next bar's open.")
    public var flatten = false

    @Option(name: .long, help: "Seconds to wait for the execution services' acknowledgements.")
    public var timeout: Double = 10

    @OptionGroup public var mesh: MeshOptions

    public init() {}

    public func run() async throws {
        try await failing {
            let acks = try KillSwitchRequest.send(.kill(reason: reason, flatten: flatten), on: Topic.kill,
                                                  endpoints: try mesh.endpoints(), timeout: timeout)
            try KillSwitchRequest.report(acks, request: "kill switch", timeout: timeout)
        }
    }
}

/// `MeshCtl resume`: lifts the kill switch.
public struct ResumeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Lift the kill switch: execution services carry out decisions again.",
        discussion: """
            Publishes ctl.resume with the operator's proof (an HMAC made with the operator secret, which only \
            its owner can read; docs/risk.md) and waits for the execution services' acknowledgements; exits 1 \
            when none acknowledged within --timeout or one refused. A daily-loss halt is not lifted by this; it \
            lasts until the next day.
            """)

    @Option(help: "Why (logged by every service).")
    public var reason: String = "manual"

    @Option(name: .long, help: "Seconds to wait for the execution services' acknowledgements.")
    public var timeout: Double = 10

    @Option(name: .customLong("operator-secret"), help: """
        The operator secret file. Default: TRADEMESH_OPERATOR_SECRET, else operator.secret beside the bus's ipc \
        sockets (where ExecSvc creates it).
        """)
    public var operatorSecret: String?

    @OptionGroup public var mesh: MeshOptions

    public init() {}

    public func run() async throws {
        try await failing {
            let endpoints = try mesh.endpoints()
            let secret = try OperatorSecret.load(path: OperatorSecret.path(
                explicit: operatorSecret, endpoints: endpoints, environment: ProcessInfo.processInfo.environment))
            let acks = try KillSwitchRequest.send(on: Topic.resume, endpoints: endpoints, timeout: timeout) { request in
                .resume(reason: reason, proof: secret.proof(source: request.source, seq: request.seq,
                                                            tsInit: request.tsInit, reason: reason))
            }
            try KillSwitchRequest.report(acks, request: "resume", timeout: timeout)
        }
    }
}

/// A kill switch request from `MeshCtl` and the acknowledgements it gets.
enum KillSwitchRequest {
    /// How long to keep listening for more services once the first has acknowledged.
    static let moreAcknowledgements = 0.5

    static func send(_ message: MeshMessage, on topic: String, endpoints: MeshEndpoints,
                     timeout: Double) throws -> [KillAck] {
        try send(on: topic, endpoints: endpoints, timeout: timeout) { _ in message }
    }

    /// Publishes the request made by `message` (given the request's envelope, for a proof over it) once its
    /// answers can be heard, then collects the `ctl.kill.ack`s answering it until `timeout`, or a moment after
    /// the first.
    static func send(on topic: String, endpoints: MeshEndpoints, timeout: Double,
                     message: (Envelope) -> MeshMessage) throws -> [KillAck] {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeout) * 1e9)
        func remaining() -> Int {
            let now = DispatchTime.now().uptimeNanoseconds
            return now >= deadline ? 0 : Int((deadline - now) / 1_000_000) + 1
        }
        let ctx = try ZMQContext()
        defer { ctx.terminate() }
        let sub = try ZMQSocket(context: ctx, type: .sub)
        defer { sub.close() }
        try sub.setLinger(milliseconds: 0)
        try sub.subscribe(Topic.killAck)
        try sub.connect(endpoints.backend)
        for peer in endpoints.peers { try sub.connect(peer.endpoint) }
        let xpub = try ZMQSocket(context: ctx, type: .xpub)
        defer { xpub.close() }
        try xpub.setLinger(milliseconds: 2000)
        try xpub.setXPubVerbose(true)
        try xpub.connect(endpoints.frontend)
        var poller = ZMQPoller([.socket(sub)])
        func receive(milliseconds: Int) throws -> Envelope? {
            guard try poller.poll(milliseconds: milliseconds)[0] else { return nil }
            return try? WireCodec.decode(frame: try sub.receive(dontWait: true)[0])
        }
        // The answers must not be missed: probe until a message on the acknowledgement topic comes back to us.
        let source = "MeshCtl"
        var probes: UInt64 = 0
        var heard = false
        while !heard && remaining() > 0 {
            probes += 1
            let now = SystemMeshClock().nowNanoseconds()
            let probe = KillAck(service: source, requestSource: source, requestSeq: 0, requestTime: now,
                                accepted: false, halted: false, detail: "probe")
            try xpub.send([WireCodec.frame(Envelope(topic: Topic.killAck, source: source, seq: probes, tsEvent: now,
                                                    tsInit: now, message: .killAck(probe)))])
            let until = DispatchTime.now().uptimeNanoseconds + 20_000_000
            while !heard, DispatchTime.now().uptimeNanoseconds < until,
                  let e = try receive(milliseconds: min(20, remaining())) {
                heard = e.source == source
            }
        }
        // The request goes out once a subscriber for it is connected (none: no execution service to answer).
        _ = try PubCommand.awaitSubscription(matching: topic, on: xpub, seconds: Double(remaining()) / 1000)
        let now = SystemMeshClock().nowNanoseconds()
        var request = Envelope(topic: topic, source: source, seq: 1, tsEvent: now, tsInit: now,
                               message: .resume(reason: "", proof: ""))
        request.message = message(request)
        try xpub.send([WireCodec.frame(request)])
        var acks: [KillAck] = []
        var stopAt = deadline
        while DispatchTime.now().uptimeNanoseconds < stopAt {
            let left = Int((stopAt - DispatchTime.now().uptimeNanoseconds) / 1_000_000) + 1
            guard let e = try receive(milliseconds: left) else { continue }
            guard case .killAck(let ack) = e.message, ack.answers(request),
                  !acks.contains(where: { $0.service == ack.service }) else { continue }
            acks.append(ack)
            stopAt = min(deadline, DispatchTime.now().uptimeNanoseconds + UInt64(moreAcknowledgements * 1e9))
        }
        return acks
    }

    /// Prints which services acknowledged; fails when none did, or one refused.
    static func report(_ acks: [KillAck], request: String, timeout: Double) throws {
        guard !acks.isEmpty else {
            FileHandle.standardError.write(Data("""
                \(request): no execution service acknowledged within \(timeout) s: the kill switch's state is \
                unknown (is ExecSvc running on this bus?)\n
                """.utf8))
            throw ExitCode(1)
        }
        var refused = false
        for ack in acks {
            let state = ack.halted ? "halted" : "trading"
            if ack.accepted {
                print("\(ack.service): \(request) acknowledged, \(state)")
            } else {
                refused = true
                print("\(ack.service): \(request) refused (\(ack.detail)), \(state)")
            }
        }
        if refused { throw ExitCode(1) }
    }
}
