import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one way a `MeshCtl` command stops on SIGTERM or SIGINT: swift-service-lifecycle's `ServiceGroup`, as for
/// the services. `body` — a blocking loop (a forwarder, a tap, a status watch) — runs on a thread of its own; the
/// group's graceful shutdown calls `stop`, which must make `body` return (e.g. `zmq_ctx_shutdown`, which wakes every
/// blocked ZeroMQ call with ETERM). `body`'s result or error is the command's.
public enum GracefulShutdown {
    public static func run<Result: Sendable>(logger: Logger, stop: @escaping @Sendable () -> Void,
                                             _ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        let service = BlockingLoopService(stop: stop, body: body)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        return try service.outcome.withLock { outcome in
            guard let outcome else { throw CancellationError() }
            return try outcome.get()
        }
    }
}

/// A blocking loop as a `Service`: run on a thread of its own, stopped by `stop` on graceful shutdown.
private final class BlockingLoopService<Value: Sendable>: Service, Sendable {
    let stop: @Sendable () -> Void
    let body: @Sendable () throws -> Value
    let outcome = Mutex<Swift.Result<Value, any Error>?>(nil)

    init(stop: @escaping @Sendable () -> Void, body: @escaping @Sendable () throws -> Value) {
        self.stop = stop
        self.body = body
    }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    let result = Swift.Result { try self.body() }
                    self.outcome.withLock { $0 = result }
                    done.resume()
                }
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }
}

/// Calls `action` once on SIGTERM or SIGINT instead of dying. Only for a synchronous supervisor that cannot run a
/// `ServiceGroup` (`Backtester replay`, a synchronous command): everything async uses `GracefulShutdown`, and
/// ExecSvc's SIGUSR1 ServiceLifecycle's `UnixSignalsSequence`. Here the handler must hold from the moment it is
/// created, synchronously: an asynchronous sequence traps the signals only once its task has run, a window in
/// which SIGTERM would kill the supervisor and orphan the services it started.
/// (`@unchecked Sendable`: it only keeps its dispatch sources alive; libdispatch objects are thread-safe but not
/// marked `Sendable`.)
public final class SignalStop: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    public init(_ action: @escaping @Sendable () -> Void) {
        sources = [SIGTERM, SIGINT].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            return source
        }
    }
}
