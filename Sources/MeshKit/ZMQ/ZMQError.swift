import CZMQ

#if canImport(Glibc)
import Glibc
#endif

/// A libzmq call that failed, as a value: callers switch on `kind` (EAGAIN is surfaced, ETERM ends a loop).
public struct ZMQError: Error, Sendable, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// EAGAIN: non-blocking call would block, or a timeout expired.
        case wouldBlock
        /// ETERM: the context was shut down; the owning loop must close its sockets and end.
        case terminated
        /// EINTR: interrupted by a signal (wrapper calls retry these themselves).
        case interrupted
        /// Anything else (bad endpoint, unsupported option…).
        case other
    }

    public let kind: Kind
    public let errno: Int32
    /// The libzmq call that failed, e.g. `zmq_bind(ipc:///tmp/x)`.
    public let operation: String

    init(errno code: Int32, operation: String) {
        self.errno = code
        self.operation = operation
        switch code {
        case EAGAIN: kind = .wouldBlock
        case ETERM: kind = .terminated
        case EINTR: kind = .interrupted
        default: kind = .other
        }
    }

    /// The error of the last failed libzmq call on this thread.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(errno: zmq_errno(), operation: operation())
    }

    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(errno)))"
    }
}
