import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Claims an `ipc://` endpoint for the life of this process before it is bound.
///
/// libzmq binds an ipc endpoint by removing whatever socket file is at the path and making its own, so a second
/// forwarder started on the same endpoints would silently take the bus over from the first (and leave a dead file
/// behind when it exits). A forwarder therefore takes an exclusive `flock` on `<path>.lock` (holding its pid) and
/// checks that nobody answers on the socket path; a lock or a listener that is still alive makes `claim` throw,
/// naming the owner. A lock whose process has died is free again (the kernel drops it), and the socket file that
/// process left is then removed before binding. `tcp://` and `inproc://` endpoints need no claim: binding them
/// twice fails by itself.
public final class EndpointLock: Sendable {
    /// The endpoint claimed.
    public let endpoint: String
    private let descriptor: Int32

    private init(endpoint: String, descriptor: Int32) {
        self.endpoint = endpoint
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The socket path of an `ipc://` endpoint, nil for other transports.
    public static func socketPath(of endpoint: String) -> String? {
        guard endpoint.hasPrefix("ipc://") else { return nil }
        return String(endpoint.dropFirst("ipc://".count))
    }

    /// Claims `endpoint` for `role` (e.g. "bus frontend"); throws naming the process that holds it.
    public static func claim(_ endpoint: String, role: String) throws -> EndpointLock {
        guard let path = socketPath(of: endpoint), !path.isEmpty, !path.hasPrefix("@") else {
            return EndpointLock(endpoint: endpoint, descriptor: -1)
        }
        MeshEndpoints.prepareDirectory(for: endpoint)
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw MeshError.config("cannot claim the \(role) at \(endpoint): \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let owner = ownerDescription(fd)
            close(fd)
            throw MeshError.config("the \(role) at \(endpoint) is in use by a running bus forwarder\(owner); "
                                   + "stop it first (`MeshCtl down`, or SIGTERM) or choose other endpoints")
        }
        if FileManager.default.fileExists(atPath: path) {
            if isListening(path) {
                close(fd)
                throw MeshError.config("the \(role) at \(endpoint) is in use: a process answers on \(path) (not a "
                                       + "forwarder of this build: no lock at \(lockPath)); stop it first or choose "
                                       + "other endpoints")
            }
            unlink(path)   // left by a forwarder that died
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
        return EndpointLock(endpoint: endpoint, descriptor: fd)
    }

    /// " (pid N)" from the lock file's content, or "".
    private static func ownerDescription(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0, let pid = Int32(String(decoding: buffer[0..<n], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)) else { return "" }
        return " (pid \(pid))"
    }

    /// Whether a process accepts connections on the Unix socket at `path`.
    static func isListening(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return rc == 0
    }
}
