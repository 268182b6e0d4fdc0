import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Calls `action` once on SIGTERM or SIGINT instead of dying, so blocking loops can end cleanly with exit 0.
public final class SignalStop: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    public init(_ action: @escaping @Sendable () -> Void) {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler(handler: action)
            source.resume()
            sources.append(source)
        }
    }
}

/// Calls `action` on every delivery of `signal` (e.g. SIGUSR1 as the kill switch) instead of the default.
public final class SignalAction: @unchecked Sendable {
    private let source: DispatchSourceSignal

    public init(_ sig: Int32, _ action: @escaping @Sendable () -> Void) {
        signal(sig, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler(handler: action)
        source.resume()
    }
}
