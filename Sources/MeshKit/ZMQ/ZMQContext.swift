import CZMQ
import Synchronization

/// A libzmq context. Thread-safe (libzmq contexts may be shared); `shutdown()` may be called from any thread to
/// wake every blocked call on its sockets with ETERM.
public final class ZMQContext: Sendable {
    /// libzmq's context, safe to use from any thread (libzmq's own guarantee); the pointer itself never changes.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer
    private let terminated = Atomic<Bool>(false)

    public init(ioThreads: Int32 = 1) throws {
        guard let h = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        handle = h
        zmq_ctx_set(h, ZMQ_IO_THREADS, ioThreads)
    }

    /// Makes every blocking call on this context's sockets return ETERM (safe from any thread).
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    /// Destroys the context. Every socket must be closed first (with a finite linger), or this blocks.
    public func terminate() {
        guard !terminated.exchange(true, ordering: .acquiringAndReleasing) else { return }
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    deinit {
        terminate()
    }
}

#if canImport(Glibc)
import Glibc
#endif
