/// One whole message as it came off the wire: the payload of a length-prefixed frame (its NUL-terminated fields),
/// without the 4-byte length.
public struct IBKRFrame: Sendable, Equatable {
    /// The payload bytes: `"<msgId>\0<f1>\0…<fk>\0"`.
    public let payload: [UInt8]

    /// Wraps a payload (the bytes after the length prefix).
    public init(payload: [UInt8]) {
        self.payload = payload
    }

    /// The payload's fields as strings (for logs and tests; decoders read fields without this allocation).
    public var fields: [String] {
        var reader = IBKRFieldReader(payload: payload, message: "frame")
        var result: [String] = []
        while !reader.isAtEnd, let text = try? reader.string("field") { result.append(text) }
        return result
    }

    /// The frame as bytes to send: the 4-byte big-endian length followed by the payload.
    public var wireBytes: [UInt8] {
        IBKRFrameDecoder.lengthPrefix(payload.count) + payload
    }
}
