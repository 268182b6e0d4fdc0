/// Errors of the bus layer that are not libzmq errors: bad configuration, bad user input, protocol failures.
public struct MeshError: Error, Sendable, CustomStringConvertible {
    private enum Code { case badInput, config, protocolFailure }
    private let code: Code
    public let description: String

    public static func badInput(_ message: String) -> MeshError { MeshError(code: .badInput, description: message) }
    public static func config(_ message: String) -> MeshError { MeshError(code: .config, description: message) }
    public static func protocolFailure(_ message: String) -> MeshError {
        MeshError(code: .protocolFailure, description: message)
    }
}
