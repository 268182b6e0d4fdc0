import Foundation
import Synchronization
import Testing
@testable import MeshKit
@testable import MeshServices

/// A node's blocking lane: blocking work off the caller's (I/O) thread, and nothing published before it.
@Suite(.timeLimit(.minutes(1))) struct ActionLaneTests {
    struct Failure: Error {}

    static func publishing(_ topic: String) -> NodeAction {
        .publish(topic: topic, message: .ack(service: "test", lastSeq: 1), tsEvent: 0, tsInit: 0)
    }

    @Test func blockingWorkRunsOffTheCallerAndWhatFollowsWaitsForIt() async throws {
        let log = Mutex<[String]>([])
        let lane = ActionLane(name: "test") { _ in log.withLock { $0.append("error") } }
        let publish: @Sendable (String, MeshMessage, Int64, Int64) -> Void = { topic, _, _, _ in
            log.withLock { $0.append(topic) }
        }
        let gate = DispatchSemaphore(value: 0)
        var batch: [NodeAction] = [.blocking { gate.wait(); log.withLock { $0.append("commit") } },
                                   Self.publishing("fill.X")]
        lane.submit(&batch, publish: publish, republish: { _, _, _, _, _ in })
        var next: [NodeAction] = [Self.publishing("ctl.ack")]
        lane.submit(&next, publish: publish, republish: { _, _, _, _, _ in })
        // Both submissions returned while the commit waits: the caller never waits for blocking work.
        #expect(log.withLock { $0 }.isEmpty && batch.isEmpty && next.isEmpty)
        gate.signal()
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in lane.whenDone { c.resume() } }
        #expect(log.withLock { $0 } == ["commit", "fill.X", "ctl.ack"])
        // Idle again: a batch with nothing blocking is published by the caller at once.
        var fast: [NodeAction] = [Self.publishing("order.X")]
        lane.submit(&fast, publish: publish, republish: { _, _, _, _, _ in })
        #expect(log.withLock { $0.last } == "order.X")
    }

    @Test func aFailedCommitPublishesNothingAfterIt() async throws {
        let log = Mutex<[String]>([])
        let lane = ActionLane(name: "test") { _ in log.withLock { $0.append("error") } }
        let publish: @Sendable (String, MeshMessage, Int64, Int64) -> Void = { topic, _, _, _ in
            log.withLock { $0.append(topic) }
        }
        var batch: [NodeAction] = [.blocking { throw Failure() }, Self.publishing("fill.X")]
        lane.submit(&batch, publish: publish, republish: { _, _, _, _, _ in })
        var next: [NodeAction] = [.blocking {}, Self.publishing("ctl.ack")]
        lane.submit(&next, publish: publish, republish: { _, _, _, _, _ in })
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in lane.whenDone { c.resume() } }
        #expect(log.withLock { $0 } == ["error"])
    }
}
