import MeshKit
/// Messages waiting for their partner in a sequence-aligned join (a bar for its prediction, a signal for its
/// bar), looked up by sequence number.
///
/// The sequence numbers held are nearly consecutive — at most a credit window apart — so they live in a ring
/// indexed by the number itself: no hashing, no allocation once the ring has grown to the window. A number far
/// ahead of the others (a restart, a stray publisher) goes to a small dictionary instead of growing the ring.
///
/// Memory is bounded whatever arrives: the ring spans at most `maximumSpan` numbers and the dictionary holds at most
/// `farAheadCapacity` entries; a number that fits neither (a spoofed stream running far ahead) is refused
/// (`Insertion.refused`) rather than held. 400,000 bars far ahead hold at most those two bounds, not 400,000 bars.
struct SequenceBuffer<Element> {
    /// What `insert` did.
    enum Insertion: Equatable {
        /// Held under a number nothing was held under.
        case held
        /// Held, replacing what was held under the same number.
        case replaced
        /// Not held: too far ahead while the far-ahead table is full.
        case refused
    }

    private var ring: [(seq: UInt64, element: Element)?]
    private var mask: Int
    /// No sequence number held in the ring is below `lowest` or above `highest` (meaningful while `inRing` > 0).
    private var lowest: UInt64 = 0
    private var highest: UInt64 = 0
    private var inRing = 0
    private var farAhead: [UInt64: Element] = [:]
    /// The widest span of sequence numbers the ring grows to.
    static var maximumSpan: UInt64 { 1 << 16 }
    /// The most numbers held beyond the ring's span.
    static var farAheadCapacity: Int { 1 << 12 }
    /// How many numbers were refused so far.
    private(set) var refusedCount: UInt64 = 0

    init() {
        ring = Array(repeating: nil, count: 64)
        mask = 63
    }

    var isEmpty: Bool { inRing == 0 && farAhead.isEmpty }

    /// How many elements are held.
    var count: Int { inRing + farAhead.count }

    /// How many slots the ring has grown to.
    var ringCapacity: Int { ring.count }

    /// Holds `element` under `seq`, replacing what was held under it, unless it is too far ahead to hold.
    @discardableResult
    mutating func insert(_ element: Element, at seq: UInt64) -> Insertion {
        if inRing == 0 {
            lowest = seq
            highest = seq
        } else {
            let low = min(lowest, seq), high = max(highest, seq)
            guard high - low < Self.maximumSpan else {
                if farAhead.updateValue(element, forKey: seq) != nil { return .replaced }
                guard farAhead.count > Self.farAheadCapacity else { return .held }
                farAhead.removeValue(forKey: seq)
                refusedCount += 1
                return .refused
            }
            if high - low >= UInt64(ring.count) { grow(toHold: high - low + 1) }
            lowest = low
            highest = high
        }
        let slot = Int(truncatingIfNeeded: seq) & mask
        let replaced = ring[slot] != nil
        if !replaced { inRing += 1 }
        ring[slot] = (seq, element)
        return replaced ? .replaced : .held
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
