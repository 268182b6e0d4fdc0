#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A non-blocking TCP client socket to TWS/IB Gateway, used only by the connection's I/O thread.
struct IBKRSocket: ~Copyable {
    let descriptor: Int32

    /// Connects to `host` (an IPv4 address) and `port`, waiting at most `timeout`. Throws a message saying why.
    init(host: String, port: Int, timeout: Duration) throws(IBKRConnectionError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw .connectFailed("'\(host)' is not an IPv4 address")
        }
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .connectFailed("socket(): \(Self.lastError())") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 && errno != EINPROGRESS {
            let reason = Self.lastError()
            close(fd)
            throw .connectFailed("connect to \(host):\(port): \(reason)")
        }
        if result != 0 {
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: timeout.milliseconds))
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard ready == 1, error == 0 else {
                close(fd)
                let reason = ready == 1 ? String(cString: strerror(error)) : "timed out"
                throw .connectFailed("connect to \(host):\(port): \(reason)")
            }
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Reads what is available into `buffer`; 0 = the peer closed, nil = nothing to read now.
    func read(into buffer: inout [UInt8]) throws(IBKRConnectionError) -> Int? {
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return nil }
            throw .socketFailed("read: \(Self.lastError())")
        }
        return count
    }

    /// Writes as much of `bytes[offset...]` as the socket takes; returns how many were written.
    func write(_ bytes: [UInt8], from offset: Int) throws(IBKRConnectionError) -> Int {
        let count = bytes.withUnsafeBytes {
            send(descriptor, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
        }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return 0 }
            throw .socketFailed("write: \(Self.lastError())")
        }
        return count
    }

    static func lastError() -> String {
        String(cString: strerror(errno))
    }
}

extension Duration {
    /// Whole milliseconds, rounded up, at least 0.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(0, seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }
}
