/// Cuts a byte stream into whole frames: takes arbitrary chunks (a partial frame, several frames at once) and
/// yields each complete message once its last byte has arrived.
///
/// Frame = 4-byte big-endian payload length + payload. A length of 0 or above `maximumFrameSize` is a hard error:
/// the stream cannot be resynchronised after it.
public struct IBKRFrameDecoder: Sendable {
    /// The largest payload accepted: TWS and the official client refuse more than 0xFFFFFF bytes.
    public static let defaultMaximumFrameSize = 0xFF_FFFF

    /// The largest payload this decoder accepts.
    public let maximumFrameSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    /// A decoder refusing frames longer than `maximumFrameSize` bytes.
    public init(maximumFrameSize: Int = IBKRFrameDecoder.defaultMaximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Bytes received but not yet returned as a frame.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// Appends received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if readIndex > 0 && readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 4096 && readIndex * 2 > buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame, or nil when more bytes are needed. Throws on a bad length.
    public mutating func nextFrame() throws(IBKRProtocolError) -> IBKRFrame? {
        guard buffer.count - readIndex >= 4 else { return nil }
        let length = Int(buffer[readIndex]) << 24 | Int(buffer[readIndex + 1]) << 16
            | Int(buffer[readIndex + 2]) << 8 | Int(buffer[readIndex + 3])
        guard length > 0, length <= maximumFrameSize else {
            throw .badFrameLength(length, maximum: maximumFrameSize)
        }
        let start = readIndex + 4
        guard buffer.count - start >= length else { return nil }
        let frame = IBKRFrame(payload: Array(buffer[start..<(start + length)]))
        readIndex = start + length
        return frame
    }

    /// The 4-byte big-endian encoding of a payload length.
    static func lengthPrefix(_ length: Int) -> [UInt8] {
        [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
         UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
    }
}
