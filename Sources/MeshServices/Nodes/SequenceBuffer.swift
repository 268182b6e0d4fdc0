import MeshKit
/// Messages waiting for their partner in a sequence-aligned join (a bar for its prediction, a signal for its
/// bar), looked up by sequence number.
///
/// The sequence numbers held are nearly consecutive — at most a credit window apart — so they live in a ring
/// indexed by the number itself: no hashing, no allocation once the ring has grown to the window. A number far
/// ahead of the others (a restart, a stray publisher) goes to a small dictionary instead of growing the ring.
struct SequenceBuffer<Element> {
    private var ring: [(seq: UInt64, element: Element)?]
    private var mask: Int
    /// No sequence number held in the ring is below `lowest` or above `highest` (meaningful while `inRing` > 0).
    private var lowest: UInt64 = 0
    private var highest: UInt64 = 0
    private var inRing = 0
    private var farAhead: [UInt64: Element] = [:]
    /// The widest span of sequence numbers the ring grows to.
    private static var maximumSpan: UInt64 { 1 << 16 }

    init() {
        ring = Array(repeating: nil, count: 64)
        mask = 63
    }

    var isEmpty: Bool { inRing == 0 && farAhead.isEmpty }

    /// Holds `element` under `seq`, replacing what was held under it.
    mutating func insert(_ element: Element, at seq: UInt64) {
        if inRing == 0 {
            lowest = seq
            highest = seq
        } else {
            let low = min(lowest, seq), high = max(highest, seq)
            guard high - low < Self.maximumSpan else {
                farAhead[seq] = element
                return
            }
            if high - low >= UInt64(ring.count) { grow(toHold: high - low + 1) }
            lowest = low
            highest = high
        }
        let slot = Int(truncatingIfNeeded: seq) & mask
        if ring[slot] == nil { inRing += 1 }
        ring[slot] = (seq, element)
    }

    /// Whether something is held under `seq`.
    func contains(_ seq: UInt64) -> Bool {
        if inRing > 0, seq >= lowest, seq <= highest,
           let entry = ring[Int(truncatingIfNeeded: seq) & mask], entry.seq == seq {
            return true
        }
        return !farAhead.isEmpty && farAhead[seq] != nil
    }

    /// Takes out what is held under `seq`, if anything.
    mutating func remove(at seq: UInt64) -> Element? {
        if inRing > 0, seq >= lowest, seq <= highest {
            let slot = Int(truncatingIfNeeded: seq) & mask
            if let entry = ring[slot], entry.seq == seq {
                ring[slot] = nil
                inRing -= 1
                if seq == lowest { lowest += 1 }
                if inRing > 0 || farAhead.isEmpty { return entry.element }
                refill()
                return entry.element
            }
        }
        guard !farAhead.isEmpty else { return nil }
        return farAhead.removeValue(forKey: seq)
    }

    /// The ring is empty: the numbers that were too far ahead may fit now.
    private mutating func refill() {
        let waiting = farAhead.sorted { $0.key < $1.key }
        farAhead.removeAll()
        for (seq, element) in waiting { insert(element, at: seq) }
    }

    private mutating func grow(toHold span: UInt64) {
        var capacity = ring.count
        while UInt64(capacity) < span { capacity *= 2 }
        let old = ring
        ring = Array(repeating: nil, count: capacity)
        mask = capacity - 1
        for case let entry? in old { ring[Int(truncatingIfNeeded: entry.seq) & mask] = entry }
    }
}

extension SequenceBuffer: Sendable where Element: Sendable {}
