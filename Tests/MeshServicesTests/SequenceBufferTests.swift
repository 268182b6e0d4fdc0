import Testing
@testable import MeshKit
@testable import MeshServices

/// The join buffer against a dictionary: same answers for in-order, shuffled, far-ahead and repeated numbers.
@Suite struct SequenceBufferTests {
    /// Replays `operations` (insert when the value is non-nil, remove otherwise) on both and compares every answer.
    private func check(_ operations: [(seq: UInt64, value: Int?)]) {
        var buffer = SequenceBuffer<Int>()
        var reference: [UInt64: Int] = [:]
        for (step, op) in operations.enumerated() {
            if let value = op.value {
                buffer.insert(value, at: op.seq)
                reference[op.seq] = value
            } else {
                #expect(buffer.contains(op.seq) == (reference[op.seq] != nil), "step \(step), seq \(op.seq)")
                #expect(buffer.remove(at: op.seq) == reference.removeValue(forKey: op.seq), "step \(step), seq \(op.seq)")
            }
            #expect(buffer.isEmpty == reference.isEmpty, "step \(step)")
        }
    }

    @Test func inOrderLikeAReplay() {
        var ops: [(UInt64, Int?)] = []
        for seq in UInt64(1)...5_000 {
            ops.append((seq, Int(seq) * 10))
            if seq > 256 { ops.append((seq - 256, nil)) }   // a window of 256 in flight
        }
        for seq in UInt64(4_745)...5_000 { ops.append((seq, nil)) }
        check(ops)
    }

    @Test func shuffledWithinAWindowAndGrowingPastTheRing() {
        var state: UInt64 = 7
        func random(below n: Int) -> Int {   // a seeded linear congruential sequence: the same shuffles every run
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var ops: [(UInt64, Int?)] = []
        var next: UInt64 = 1
        var held: [UInt64] = []
        for round in 0..<400 {
            let burst = 1 + random(below: 300)   // bursts wider than the initial ring
            for _ in 0..<burst {
                held.append(next)
                ops.append((next, round))
                next += 1
            }
            for _ in 0..<burst {
                let i = random(below: held.count)
                ops.append((held.remove(at: i), nil))
            }
        }
        check(ops)
    }

    @Test func farAheadAndMissingNumbers() {
        check([
            (1, 1), (2, 2), (1_000_000, 3), (3, 4),
            (5, nil), (1_000_000, nil), (1_000_000, nil),
            (1, nil), (2, nil), (3, nil),
            (900_000, 5), (4, 6), (4, nil), (900_000, nil),
            (10, 7), (10, 8), (10, nil), (10, nil),
        ])
    }

    @Test func farAheadNumbersMoveIntoTheRingOnceItEmpties() {
        check([(1, 1), (200_000, 2), (200_001, 3), (1, nil), (200_002, 4), (200_001, nil), (200_000, nil),
               (200_002, nil)])
    }
}

/// What a stray publisher far ahead of the sequence can make the join buffer hold: a bounded amount, whatever it
/// sends; a replaced number is reported as such.
@Suite struct SequenceBufferBoundTests {
    @Test func fourHundredThousandNumbersFarAheadAreNotAllHeld() {
        var buffer = SequenceBuffer<Int>()
        #expect(buffer.insert(1, at: 1) == .held)
        var refused = 0
        for k in UInt64(0)..<400_000 {
            // Spread over far more than the ring's span, as a spoofing publisher's would be.
            if buffer.insert(Int(k), at: 1_000 + k * 7) == .refused { refused += 1 }
        }
        let bound = Int(SequenceBuffer<Int>.maximumSpan) + SequenceBuffer<Int>.farAheadCapacity
        #expect(buffer.count <= bound)
        #expect(buffer.ringCapacity <= Int(SequenceBuffer<Int>.maximumSpan))
        #expect(refused > 0 && UInt64(refused) == buffer.refusedCount)
        // What was held is still served in order: the real stream is not disturbed.
        #expect(buffer.remove(at: 1) == 1)
        #expect(buffer.remove(at: 1_000) == 0)
    }

    @Test func aSecondElementUnderTheSameNumberIsReportedAsReplacing() {
        var buffer = SequenceBuffer<Int>()
        #expect(buffer.insert(10, at: 5) == .held)
        #expect(buffer.insert(11, at: 5) == .replaced)
        #expect(buffer.insert(20, at: 5 + 2 * SequenceBuffer<Int>.maximumSpan) == .held)
        #expect(buffer.insert(21, at: 5 + 2 * SequenceBuffer<Int>.maximumSpan) == .replaced)
        #expect(buffer.remove(at: 5) == 11)
    }
}
