/// An error starting the simulator: bad data, a bad script or a socket that cannot listen, naming the file, entry
/// or address at fault.
public struct TWSSimError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case data, script, socket
    }

    private let code: Code
    /// What went wrong and where.
    public let description: String

    static func data(_ text: String) -> TWSSimError { TWSSimError(code: .data, description: text) }
    static func script(_ text: String) -> TWSSimError { TWSSimError(code: .script, description: text) }
    static func socket(_ text: String) -> TWSSimError { TWSSimError(code: .socket, description: text) }

    /// True for a problem with the fault script.
    public var isScriptError: Bool { code == .script }
}
