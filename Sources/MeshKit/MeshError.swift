import CZMQ

/// Errors of the bus layer that are not libzmq errors: bad configuration, bad user input, protocol failures.
public struct MeshError: Error, Sendable, CustomStringConvertible {
    private enum Code { case badInput, config, protocolFailure, endpoint }
    private let code: Code
    public let description: String

    public static func badInput(_ message: String) -> MeshError { MeshError(code: .badInput, description: message) }
    public static func config(_ message: String) -> MeshError { MeshError(code: .config, description: message) }
    /// A bus endpoint could not be bound or connected: which one, in which role, and libzmq's reason.
    public static func endpoint(_ role: String, _ endpoint: String, _ verb: String, _ error: any Error) -> MeshError {
        let reason = (error as? ZMQError).map { String(cString: zmq_strerror($0.errno)) } ?? "\(error)"
        return MeshError(code: .endpoint, description: "cannot \(verb) the \(role) at \(endpoint): \(reason)")
    }

    public static func protocolFailure(_ message: String) -> MeshError {
        MeshError(code: .protocolFailure, description: message)
    }
}
