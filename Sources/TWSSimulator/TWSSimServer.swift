#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import IBKRProtocol
import Logging
import Synchronization

/// The simulator on TCP: listens on 127.0.0.1, does each client's handshake (answering version 200 to clients that
/// speak it), feeds decoded requests to a `TWSSimCore` and writes its answers, and steps the core's clock every
/// `barInterval`. One thread owns the sockets and the core (POSIX sockets and `poll`); `stop()` wakes it through a
/// pipe.
public final class TWSSimServer: Sendable {
    /// The port the server listens on (the one chosen when 0 was asked for).
    public let port: Int
    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let launch: Mutex<(core: TWSSimCore, barInterval: Duration, logger: Logger)?>

    /// Binds 127.0.0.1:`port` (0 picks a free port, read back in `port`) and listens; `run()` or `start()` serve.
    public init(core: TWSSimCore, port: Int, barInterval: Duration, logger: Logger) throws(TWSSimError) {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw .socket("socket(): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .socket("cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        listener = fd
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.port = Int(UInt16(bigEndian: address.sin_port))
        launch = Mutex((core, barInterval, logger))
    }

    deinit {
        close(listener)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Serves on the calling thread until `stop()`.
    public func run() {
        guard let (core, interval, logger) = launch.withLock({ state in
            defer { state = nil }
            return state
        }) else { return }
        var loop = TWSSimServerLoop(core: core, listener: listener, wake: wakeRead, barInterval: interval,
                                    logger: logger)
        loop.run()
        finished.signal()
    }

    /// Serves on a thread of its own until `stop()`.
    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "TWSSim"
        thread.start()
    }

    /// Stops serving: closes every client and returns once `run()` has returned (call it once, after `start()`
    /// or while another thread is in `run()`).
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        finished.wait()
    }
}
