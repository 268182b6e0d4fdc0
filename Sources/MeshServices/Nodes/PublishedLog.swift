import MeshKit
/// What a service has published on one stream, kept to answer `ctl.resend`: append-only, indexed from 0 (sequence
/// number − 1). Stored in fixed-size chunks, so a session of millions of messages never copies what it holds to grow.
public struct PublishedLog<Element> {
    private static var chunkSize: Int { 8_192 }
    private var chunks: [[Element]] = []

    public init() {}

    public private(set) var count = 0

    public mutating func append(_ element: Element) {
        if count % Self.chunkSize == 0 {
            var chunk: [Element] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        count += 1
    }

    public subscript(index: Int) -> Element {
        chunks[index / Self.chunkSize][index % Self.chunkSize]
    }
}

extension PublishedLog: Sendable where Element: Sendable {}
