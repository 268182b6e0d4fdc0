import Foundation
import Testing
import TestSupport
import TradingCore
@testable import MeshKit
@testable import MeshServices

/// The generic node service on a real bus: readiness, delivery and what ends it.
@Suite(.timeLimit(.minutes(1))) struct MeshNodeServiceTests {
    @Test func fatalGapPolicyStopsTheNodeWithAnError() async throws {
        let endpoints = TestSupport.endpoints(heartbeat: .seconds(60))
        let proxy = try BusProxy(endpoints: endpoints, logger: TestSupport.logger)
        try proxy.start()
        let seen = Collected()
        let node = MeshNodeService(name: "replay-check", endpoints: endpoints, subscriptions: ["bar.", "probe."],
                                   clock: FixedMeshClock(nanoseconds: 0), logger: TestSupport.logger,
                                   gapPolicy: .fatal) { envelope, _, _ in
            seen.append(.message(envelope))
            return .proceed
        }
        let running = Task { try await node.run() }
        let pub = BusConnection(source: "pub", endpoints: endpoints, subscriptions: [], logger: TestSupport.logger)
        try pub.start()
        // Generous deadline: under a full parallel test run the node's task may start late.
        let subscribed = await TestSupport.eventually(seconds: 30) {
            pub.publish(topic: "probe.x", message: .kill(reason: "probe", flatten: false), tsEvent: 0, tsInit: 0)
            return seen.envelopes.contains { $0.topic == "probe.x" }
        }
        #expect(subscribed)
        for seq: UInt64 in [1, 3] {
            pub.publishRaw([WireCodec.frame(Envelope(
                topic: "bar.X", source: "replay", seq: seq, tsEvent: 0, tsInit: 0, message: .bar(symbol: "X", bar: Bar(time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1))))])
        }
        await #expect(throws: MeshError.self) { try await running.value }
        await pub.shutdown(); proxy.stop()
    }
}
