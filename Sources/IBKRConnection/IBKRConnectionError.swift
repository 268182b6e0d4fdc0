/// An error of the TWS connection, saying what failed and why.
public struct IBKRConnectionError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable { case connectFailed, socketFailed, notReady, stopped }
    private let code: Code
    /// What went wrong.
    public let description: String

    static func connectFailed(_ why: String) -> IBKRConnectionError {
        IBKRConnectionError(code: .connectFailed, description: why)
    }

    static func socketFailed(_ why: String) -> IBKRConnectionError {
        IBKRConnectionError(code: .socketFailed, description: why)
    }

    static func notReady(_ request: String) -> IBKRConnectionError {
        IBKRConnectionError(code: .notReady,
                            description: "\(request): the connection to TWS is not ready; send it again after the "
                                + "next ready event")
    }

    static let stopped = IBKRConnectionError(code: .stopped, description: "the connection was stopped")

    /// True when a request was refused because the connection was not ready.
    public var isNotReady: Bool { code == .notReady }
}
