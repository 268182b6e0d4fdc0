/// The connection handshake: the client hello (`API\0` + length + `v<min>..<max>`, the only unframed bytes of the
/// protocol) and the server's reply (one ordinary frame with the negotiated version and the connection time).
public enum IBKRHandshake {
    /// The one server version this client speaks: the last pure-text version of the protocol.
    public static let supportedServerVersion = 200
    /// The lowest version advertised (what every official client sends).
    public static let advertisedMinimumVersion = 100

    /// The hello bytes: `API\0`, a 4-byte big-endian length, `v<min>..<max>` (no NUL).
    public static func clientHello(minimumVersion: Int = advertisedMinimumVersion,
                                   maximumVersion: Int = supportedServerVersion) -> [UInt8] {
        let range = Array("v\(minimumVersion)..\(maximumVersion)".utf8)
        return Array("API".utf8) + [0] + IBKRFrameDecoder.lengthPrefix(range.count) + range
    }

    /// The server's reply to the hello.
    public struct ServerReply: Sendable, Equatable {
        /// The negotiated server version.
        public let serverVersion: Int
        /// TWS's connection time (opaque text, for logs only).
        public let connectionTime: String
    }

    /// Reads the server version reply: a frame of exactly two fields. Returns nil for a frame of another shape
    /// (TWS may send something else before it; it is skipped), throws when the version is not a number.
    public static func serverReply(_ frame: IBKRFrame) throws(IBKRProtocolError) -> ServerReply? {
        var reader = IBKRFieldReader(payload: frame.payload, message: "server version reply")
        let versionText = try reader.string("serverVersion")
        guard !reader.isAtEnd else { return nil }
        let time = try reader.string("connectionTime")
        guard reader.isAtEnd else { return nil }
        guard let version = Int(versionText) else { throw .badServerVersionReply(versionText) }
        return ServerReply(serverVersion: version, connectionTime: time)
    }
}

extension IBKRHandshake {
    /// What a client's hello asks for: its version range and connect options (e.g. `+PACEAPI`).
    public struct ClientHello: Sendable, Equatable {
        /// The lowest version the client speaks.
        public let minimumVersion: Int
        /// The highest version the client speaks.
        public let maximumVersion: Int
        /// Text after the range, if any.
        public let options: String
        /// How many bytes of the stream the hello took.
        public let byteCount: Int
    }

    /// Reads a client hello at the start of `bytes`; nil while it is incomplete. Throws when the bytes are not a
    /// TWS API hello (no `API\0` prefix, a length above 4096, or no `v<min>..<max>` range).
    public static func clientHello(_ bytes: [UInt8]) throws(IBKRProtocolError) -> ClientHello? {
        let prefix: [UInt8] = [0x41, 0x50, 0x49, 0]
        for (index, byte) in bytes.prefix(4).enumerated() where byte != prefix[index] {
            throw .unexpectedMessage("client hello: the stream does not start with 'API\\0' (not a TWS API client)")
        }
        guard bytes.count >= 8 else { return nil }
        let length = Int(bytes[4]) << 24 | Int(bytes[5]) << 16 | Int(bytes[6]) << 8 | Int(bytes[7])
        guard length > 0, length <= 4096 else { throw .badFrameLength(length, maximum: 4096) }
        guard bytes.count >= 8 + length else { return nil }
        let text = IBKRFieldReader.text(bytes[8..<(8 + length)])
        let range = text.split(separator: " ", maxSplits: 1)
        let bounds = range.first.map { $0.dropFirst().split(separator: ".", omittingEmptySubsequences: true) } ?? []
        guard text.hasPrefix("v"), bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]),
              low <= high else {
            throw .unexpectedMessage("client hello: '\(text)' is not a version range 'v<min>..<max>'")
        }
        return ClientHello(minimumVersion: low, maximumVersion: high,
                           options: range.count > 1 ? String(range[1]) : "", byteCount: 8 + length)
    }

    /// The server's reply to a hello: one frame with the negotiated version and the connection time.
    public static func serverReplyBytes(serverVersion: Int, connectionTime: String) -> [UInt8] {
        let payload = Array(String(serverVersion).utf8) + [0] + Array(connectionTime.utf8) + [0]
        return IBKRFrameDecoder.lengthPrefix(payload.count) + payload
    }
}
