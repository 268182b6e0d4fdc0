import Synchronization
import Testing
@testable import MeshKit
@testable import MeshServices

/// The replay's waits end on the update that satisfies them (no polling), cancellation ends them, and its time
/// limits are measured on the injected clock — so they are tested here without waiting for any of them.
@Suite(.timeLimit(.minutes(1))) struct ReplayProgressTests {
    /// A clock the test moves by hand.
    final class ManualClock: MeshClock {
        let now = Atomic<Int64>(1_000_000_000)
        func nowNanoseconds() -> Int64 { now.load(ordering: .relaxed) }
        func advance(_ d: Duration) { now.add(Int64(d.components.seconds) * 1_000_000_000, ordering: .relaxed) }
    }

    @Test func readinessAndCreditWaitsEndOnTheUpdateThatSatisfiesThem() async throws {
        let progress = ReplayProgress(awaiting: ["PredictSvc", "ExecSvc"], clock: ManualClock())
        let ready = Task { try await progress.waitUntilReady() }
        progress.alive("PredictSvc")
        progress.alive("ExecSvc")
        try await ready.value
        let credit = Task { try await progress.waitForCredit(seq: 10, window: 4) }
        progress.acknowledged(5)
        progress.acknowledged(6)
        try await credit.value
        #expect(progress.acknowledgedSeq == 6)
        let finished = Task { try await progress.waitUntilFinished() }
        progress.finished()
        try await finished.value
    }

    @Test func cancellingAWaitEndsIt() async {
        let progress = ReplayProgress(awaiting: ["ExecSvc"], clock: ManualClock())
        let waiting = Task { try await progress.waitForCredit(seq: 100, window: 1) }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
    }

    @Test func limitsAreMeasuredOnTheInjectedClock() {
        let clock = ManualClock()
        let progress = ReplayProgress(awaiting: ["PredictSvc", "ExecSvc"], clock: clock)
        func failure() -> String? {
            progress.failure(heartbeatLimit: .seconds(5), stallLimit: .seconds(10), readyLimit: .seconds(30),
                             ackFrom: "ExecSvc", bars: 100)
        }
        progress.alive("PredictSvc")
        clock.advance(.seconds(31))
        #expect(failure()?.contains("ExecSvc not ready after 30") == true)
        progress.alive("ExecSvc")
        progress.alive("PredictSvc")
        progress.started()
        clock.advance(.seconds(4))
        #expect(failure() == nil)
        progress.alive("ExecSvc")
        clock.advance(.seconds(2))
        #expect(failure()?.contains("PredictSvc is gone") == true)
        // PredictSvc ended its stream: it may exit; its silence is no failure.
        progress.ended("PredictSvc")
        #expect(failure() == nil)
        progress.acknowledged(50)
        clock.advance(.seconds(4))
        progress.alive("ExecSvc")
        clock.advance(.seconds(4))
        progress.alive("ExecSvc")
        clock.advance(.seconds(3))
        #expect(failure()?.contains("replay stalled: ExecSvc acknowledged nothing for 10") == true)
    }
}
