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
