import Foundation
import Testing
import TestSupport
import TradingCore
@testable import MeshKit

/// Real sockets in one process: forwarder, publisher and subscriber connections, garbage and gaps.
@Suite(.timeLimit(.minutes(1))) struct BusSocketTests {
    /// A forwarder plus a subscriber connection that has seen its own subscription take effect.
    static func setUp(subscriptions: [String]) async throws -> (BusProxy, BusConnection, Collected, MeshEndpoints) {
        let endpoints = TestSupport.endpoints()
        let proxy = try BusProxy(endpoints: endpoints, logger: TestSupport.logger)
        try proxy.start()
        let sub = BusConnection(source: "sub", endpoints: endpoints, subscriptions: subscriptions + ["probe."],
                                logger: TestSupport.logger)
        try sub.start()
        let collected = Collected.consuming(sub)
        // Probe until the subscription has propagated through the forwarder.
        let probe = BusConnection(source: "probe", endpoints: endpoints, subscriptions: [], logger: TestSupport.logger)
        try probe.start()
        let ok = await TestSupport.eventually {
            probe.publish(topic: "probe.x", message: .kill(reason: "probe", flatten: false), tsEvent: 0, tsInit: 0)
            return collected.envelopes.contains { $0.topic == "probe.x" }
        }
        await probe.shutdown()
        #expect(ok)
        return (proxy, sub, collected, endpoints)
    }

    /// Direct mode: a publisher binds its own endpoint and holds what it publishes until every listed peer has
    /// subscribed; so messages published before the subscriber even exists all arrive, in order.
    @Test func directModeLosesNothingPublishedBeforeThePeersSubscribed() async throws {
        var endpoints = TestSupport.endpoints()
        let dir = (String(endpoints.frontend.dropFirst("ipc://".count)) as NSString).deletingLastPathComponent
        endpoints.peers = [.init(name: "feed", endpoint: "ipc://\(dir)/feed.ipc"),
                           .init(name: "sink", endpoint: "ipc://\(dir)/sink.ipc")]
        let feed = BusConnection(source: "feed", endpoints: endpoints, subscriptions: ["ctl."],
                                 logger: TestSupport.logger)
        try feed.start()
        for _ in 0..<500 {
            feed.publish(topic: "bar.X", message: Samples.messages[0].1, tsEvent: 1, tsInit: 1)
        }
        let sink = BusConnection(source: "sink", endpoints: endpoints, subscriptions: ["bar."],
                                 logger: TestSupport.logger)
        try sink.start()
        let collected = Collected.consuming(sink)
        let all = await TestSupport.eventually { collected.envelopes.filter { $0.source == "feed" }.count == 500 }
        #expect(all)
        #expect(collected.envelopes.filter { $0.source == "feed" }.map(\.seq) == Array(1...500))
        #expect(sink.currentStats().gaps == 0)
        #expect(feed.hasSubscriber(for: "bar.X"))
        await feed.shutdown(); await sink.shutdown()
    }

    @Test func peersAreReadFromTheEnvironment() throws {
        let e = try MeshEndpoints.load(path: nil, environment: [
            "TRADEMESH_BUS_PEERS": "DataSvc=ipc:///tmp/x/DataSvc.ipc,ExecSvc=tcp://127.0.0.1:9000"])
        #expect(e.peers == [.init(name: "DataSvc", endpoint: "ipc:///tmp/x/DataSvc.ipc"),
                            .init(name: "ExecSvc", endpoint: "tcp://127.0.0.1:9000")])
        #expect(throws: MeshError.self) {
            try MeshEndpoints.load(path: nil, environment: ["TRADEMESH_BUS_PEERS": "DataSvc:/tmp/x"])
        }
        #expect(try MeshEndpoints.load(path: nil, environment: [:]).peers.isEmpty)
    }

    @Test func publishAndReceiveEveryType() async throws {
        let (proxy, sub, collected, endpoints) = try await Self.setUp(subscriptions: ["bar.", "pred.", "signal.", "order.",
                                                                                      "fill.", "pnl.", "ctl."])
        let pub = BusConnection(source: "pub", endpoints: endpoints, subscriptions: [], logger: TestSupport.logger)
        try pub.start()
        for (topic, message) in Samples.messages {
            pub.publish(topic: topic, message: message, tsEvent: 5, tsInit: 6)
        }
        let got = await TestSupport.eventually {
            collected.envelopes.filter { $0.source == "pub" }.count == Samples.messages.count
        }
        #expect(got)
        let received = collected.envelopes.filter { $0.source == "pub" }
        #expect(received.map(\.message) == Samples.messages.map(\.1))
        #expect(received.allSatisfy { $0.seq == 1 && $0.tsEvent == 5 && $0.tsInit == 6 })
        await pub.shutdown(); await sub.shutdown(); proxy.stop()
    }

    @Test func garbageIsCountedAndDroppedAndTheStreamGoesOn() async throws {
        let (proxy, sub, collected, endpoints) = try await Self.setUp(subscriptions: ["bar.", "ctl."])
        let pub = BusConnection(source: "pub", endpoints: endpoints, subscriptions: [], logger: TestSupport.logger)
        try pub.start()
        let good = WireCodec.encode(Envelope(topic: "bar.X", source: "pub", seq: 1, tsEvent: 0, tsInit: 0,
                                             message: Samples.messages[0].1))
        let topic = Array("bar.X".utf8) + [WireCodec.topicTerminator]
        let garbage: [[[UInt8]]] = [
            [Array("bar.X".utf8)],                                   // no terminator after the topic
            [Array("bar.X".utf8), good],                             // topic and payload in two frames
            [topic + good, [1, 2, 3]],                               // a second frame
            [topic + [1, 99] + Array(good.dropFirst(2))],            // unknown type
            [topic + Array(good.prefix(40))],                        // truncated
            [topic + [7] + Array(good.dropFirst())],                 // wrong schema version
            [topic + Array(repeating: 0xAB, count: 64)],             // noise
            [Array("ctl.kill".utf8) + [WireCodec.topicTerminator] + good], // a bar on a kill topic
            [Array("bar.".utf8) + [0xFF, 0xFE, WireCodec.topicTerminator] + good], // a topic that is not UTF-8
        ]
        for frames in garbage { pub.publishRaw(frames) }
        pub.publishRaw([topic + good])
        let arrived = await TestSupport.eventually {
            collected.envelopes.contains { $0.topic == "bar.X" } && sub.currentStats().dropped == 9
        }
        #expect(arrived)
        #expect(sub.currentStats().dropped == 9)
        #expect(collected.envelopes.filter { $0.topic == "bar.X" }.count == 1)
        await pub.shutdown(); await sub.shutdown(); proxy.stop()
    }

    @Test func sequenceGapIsReported() async throws {
        let (proxy, sub, collected, endpoints) = try await Self.setUp(subscriptions: ["bar."])
        let pub = BusConnection(source: "pub", endpoints: endpoints, subscriptions: [], logger: TestSupport.logger)
        try pub.start()
        for seq: UInt64 in [1, 2, 5, 6] {
            pub.publishRaw([WireCodec.frame(Envelope(
                topic: "bar.X", source: "replay", seq: seq, tsEvent: 0, tsInit: 0, message: Samples.messages[0].1))])
        }
        #expect(await TestSupport.eventually { collected.envelopes.filter { $0.topic == "bar.X" }.count == 4 })
        let gaps = collected.events.compactMap { event -> UInt64? in
            if case .gap(let e, let missing) = event, e.topic == "bar.X" { return missing } else { return nil }
        }
        #expect(gaps == [2])
        #expect(sub.currentStats().gaps == 1)
        await pub.shutdown(); await sub.shutdown(); proxy.stop()
    }

    @Test func sequencesArePerTopic() async throws {
        let endpoints = TestSupport.endpoints()
        let bus = BusConnection(source: "s", endpoints: endpoints, subscriptions: [], logger: TestSupport.logger)
        try bus.start()
        #expect(bus.publish(topic: "bar.A", message: Samples.messages[0].1, tsEvent: 0, tsInit: 0) == 1)
        #expect(bus.publish(topic: "bar.A", message: Samples.messages[0].1, tsEvent: 0, tsInit: 0) == 2)
        #expect(bus.publish(topic: "bar.B", message: Samples.messages[0].1, tsEvent: 0, tsInit: 0) == 1)
        bus.stop()
    }

    @Test func wrapperSurfacesEAGAINAndPollTimeouts() throws {
        let ctx = try ZMQContext()
        let pull = try ZMQSocket(context: ctx, type: .pull)
        try pull.setLinger(milliseconds: 0)
        try pull.bind("inproc://wrapper-test")
        #expect(throws: ZMQError.self) { try pull.receive(dontWait: true) }
        do {
            _ = try pull.receive(dontWait: true)
        } catch let e as ZMQError {
            #expect(e.kind == .wouldBlock)
        }
        var poller = ZMQPoller([.socket(pull)])
        #expect(try poller.poll(milliseconds: 20) == [false])
        let push = try ZMQSocket(context: ctx, type: .push)
        try push.setLinger(milliseconds: 0)
        try push.connect("inproc://wrapper-test")
        try push.send([[1], [], [2, 3]])
        #expect(try poller.poll(milliseconds: 1000) == [true])
        #expect(try pull.receive() == [[1], [], [2, 3]])
        #expect(throws: ZMQError.self) { try push.connect("nonsense://x") }
        push.close(); pull.close(); ctx.terminate()
    }

    @Test func contextShutdownWakesABlockedPoll() async throws {
        let ctx = try ZMQContext()
        let sub = try ZMQSocket(context: ctx, type: .sub)
        try sub.setLinger(milliseconds: 0)
        try sub.connect("inproc://nobody")
        let result = ResultBox()
        let thread = Thread {
            var poller = ZMQPoller([.socket(sub)])
            do { _ = try poller.poll(milliseconds: -1) } catch let e as ZMQError { result.set(e.kind) } catch {}
            sub.close()
        }
        thread.start()
        try await Task.sleep(for: .milliseconds(50))
        ctx.shutdown()
        #expect(await TestSupport.eventually(seconds: 2) { result.get() == .terminated })
        ctx.terminate()
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: ZMQError.Kind?
    func set(_ v: ZMQError.Kind) { lock.lock(); value = v; lock.unlock() }
    func get() -> ZMQError.Kind? { lock.lock(); defer { lock.unlock() }; return value }
}
