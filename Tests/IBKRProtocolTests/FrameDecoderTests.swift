import IBKRProtocol
import Testing

@Suite struct FrameDecoderTests {
    /// The server version reply and every server fixture, back to back, as TWS would stream them.
    static var stream: (bytes: [UInt8], frames: [IBKRFrame]) {
        let reply = IBKRFrame(payload: Fixtures.payload(["200", "20250102 09:00:00 US/Eastern"]))
        var frames = [reply]
        for name in Fixtures.file.server_messages.keys.sorted() {
            frames.append(Fixtures.frame(Fixtures.file.server_messages[name]!.hex))
        }
        return (frames.flatMap(\.wireBytes), frames)
    }

    static func decodeAll(_ bytes: [UInt8], chunkSizes: (Int) -> Int) throws -> [IBKRFrame] {
        var decoder = IBKRFrameDecoder()
        var frames: [IBKRFrame] = []
        var offset = 0
        var chunk = 0
        while offset < bytes.count {
            let size = min(max(chunkSizes(chunk), 1), bytes.count - offset)
            decoder.append(bytes[offset..<(offset + size)])
            while let frame = try decoder.nextFrame() { frames.append(frame) }
            offset += size
            chunk += 1
        }
        #expect(decoder.bufferedByteCount == 0)
        return frames
    }

    @Test func wholeStreamAtOnce() throws {
        let (bytes, frames) = Self.stream
        #expect(frames.count == Fixtures.file.server_messages.count + 1)
        #expect(try Self.decodeAll(bytes) { _ in bytes.count } == frames)
    }

    @Test(arguments: [1, 2, 3, 4, 5, 7, 13, 64, 97, 1000])
    func fixedChunkSizes(size: Int) throws {
        let (bytes, frames) = Self.stream
        #expect(try Self.decodeAll(bytes) { _ in size } == frames)
    }

    @Test func pseudoRandomChunkSplits() throws {
        let (bytes, frames) = Self.stream
        for seed in 1...20 {
            var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15
            let split = try Self.decodeAll(bytes) { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int(state >> 33) % 97 + 1
            }
            #expect(split == frames, "seed \(seed)")
        }
    }

    @Test func partialFrameWaitsForTheRest() throws {
        let frame = IBKRFrame(payload: Fixtures.payload(["9", "1", "1001"]))
        var decoder = IBKRFrameDecoder()
        decoder.append(frame.wireBytes.dropLast())
        #expect(try decoder.nextFrame() == nil)
        decoder.append(frame.wireBytes.suffix(1))
        #expect(try decoder.nextFrame() == frame)
        #expect(try decoder.nextFrame() == nil)
    }

    @Test func zeroAndOversizeLengthsAreErrors() {
        var zero = IBKRFrameDecoder()
        zero.append([0, 0, 0, 0, 0x39, 0])
        #expect(throws: IBKRProtocolError.self) { try zero.nextFrame() }

        var huge = IBKRFrameDecoder()
        huge.append([0x01, 0x00, 0x00, 0x00])  // 16 MiB: one more than TWS allows
        do {
            _ = try huge.nextFrame()
            Issue.record("an oversize length was accepted")
        } catch {
            #expect(error.isFramingError)
            #expect(error.description.contains("16777216"))
        }

        var small = IBKRFrameDecoder(maximumFrameSize: 16)
        small.append([0, 0, 0, 17])
        #expect(throws: IBKRProtocolError.self) { try small.nextFrame() }
    }

    @Test func compactsItsBufferOverALongStream() throws {
        let frame = IBKRFrame(payload: Fixtures.payload(["49", "1", "1735826400"]))
        var decoder = IBKRFrameDecoder()
        for _ in 0..<10_000 {
            decoder.append(frame.wireBytes)
            #expect(try decoder.nextFrame() == frame)
        }
        #expect(decoder.bufferedByteCount == 0)
    }
}
