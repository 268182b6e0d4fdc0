/// The messages a `BusConnection` receives, one at a time. The I/O thread hands them over in batches (everything
/// one poll returned), and iteration takes them from the current batch without suspending, so a busy stream costs
/// one task switch per batch rather than one per message.
public struct BusEvents: AsyncSequence, Sendable {
    public typealias Element = BusConnection.Event

    let batches: AsyncStream<[BusConnection.Event]>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: AsyncStream<[BusConnection.Event]>.AsyncIterator
        var batch: [BusConnection.Event] = []
        var index = 0

        public mutating func next() async -> BusConnection.Event? {
            if index == batch.count {
                guard let next = await batches.next() else { return nil }
                batch = next
                index = 0
                if batch.isEmpty { return await self.next() }
            }
            defer { index += 1 }
            return batch[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(batches: batches.makeAsyncIterator())
    }
}
