import CZMQ

#if canImport(Glibc)
import Glibc
#endif

/// `zmq_poll` over a fixed set of sockets and plain file descriptors.
public struct ZMQPoller {
    public enum Item {
        case socket(ZMQSocket)
        case fileDescriptor(Int32)
    }

    private var items: [zmq_pollitem_t]
    private let sockets: [ZMQSocket?]

    public init(_ entries: [Item]) {
        var items: [zmq_pollitem_t] = []
        var sockets: [ZMQSocket?] = []
        for entry in entries {
            switch entry {
            case .socket(let s):
                items.append(zmq_pollitem_t(socket: s.handle, fd: -1, events: Int16(ZMQ_POLLIN), revents: 0))
                sockets.append(s)
            case .fileDescriptor(let fd):
                items.append(zmq_pollitem_t(socket: nil, fd: fd, events: Int16(ZMQ_POLLIN), revents: 0))
                sockets.append(nil)
            }
        }
        self.items = items
        self.sockets = sockets
    }

    /// Waits up to `milliseconds` (−1 = forever) for input. Returns, per item, whether it is readable.
    /// EINTR is retried; ETERM throws `.terminated`.
    public mutating func poll(milliseconds: Int) throws -> [Bool] {
        while true {
            let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), milliseconds) }
            if rc >= 0 { return items.map { ($0.revents & Int16(ZMQ_POLLIN)) != 0 } }
            let error = ZMQError.last("zmq_poll")
            if error.kind != .interrupted { throw error }
        }
    }
}
