/// An error of the TWS API protocol layer, each naming the message and field (or the byte count) at fault.
public struct IBKRProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case badFrameLength, missingField, malformedField, unsupportedServerVersion, badServerVersionReply
        case invalidRequest, unexpectedMessage
    }

    private let code: Code
    /// What went wrong, with the message name, field name and offending text where known.
    public let description: String

    static func badFrameLength(_ length: Int, maximum: Int) -> IBKRProtocolError {
        IBKRProtocolError(code: .badFrameLength,
                          description: "frame length \(length) is outside 1...\(maximum) bytes: the stream is corrupt "
                              + "or not the TWS API")
    }

    static func missingField(message: String, field: String, index: Int) -> IBKRProtocolError {
        IBKRProtocolError(code: .missingField,
                          description: "\(message): field \(index) '\(field)' is missing (the message ended early)")
    }

    static func malformedField(message: String, field: String, index: Int, text: String, expected: String)
        -> IBKRProtocolError {
        IBKRProtocolError(code: .malformedField,
                          description: "\(message): field \(index) '\(field)' is '\(text)', expected \(expected)")
    }

    static func unsupportedServerVersion(_ version: Int, supported: Int) -> IBKRProtocolError {
        let advice = version < supported ? "TWS/IB Gateway is too old: upgrade it"
            : "TWS/IB Gateway answered above the advertised range"
        return IBKRProtocolError(code: .unsupportedServerVersion,
                                 description: "server version \(version) negotiated, but this client speaks exactly "
                                     + "\(supported); \(advice)")
    }

    static func badServerVersionReply(_ text: String) -> IBKRProtocolError {
        IBKRProtocolError(code: .badServerVersionReply,
                          description: "handshake reply: server version '\(text)' is not a number")
    }

    static func invalidRequest(_ request: String, field: String, _ why: String) -> IBKRProtocolError {
        IBKRProtocolError(code: .invalidRequest, description: "\(request): field '\(field)' \(why)")
    }

    static func unexpectedMessage(_ what: String) -> IBKRProtocolError {
        IBKRProtocolError(code: .unexpectedMessage, description: what)
    }

    /// True when the error is a frame-length error (the stream cannot be resynchronised and must be closed).
    public var isFramingError: Bool { code == .badFrameLength }
    /// True when the server negotiated a version this client does not speak.
    public var isUnsupportedVersion: Bool { code == .unsupportedServerVersion }
}
