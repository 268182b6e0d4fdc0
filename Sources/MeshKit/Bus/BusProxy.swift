import CZMQ
import Foundation
import Logging

/// The bus forwarder: an XSUB socket bound at `frontend` (services publish into it) joined to an XPUB socket
/// bound at `backend` (services and taps subscribe there) by `zmq_proxy` on its own thread.
/// Subscriptions travel upstream, so publishers only send what somebody wants.
public final class BusProxy: @unchecked Sendable {
    private let endpoints: MeshEndpoints
    private let logger: Logger
    private let context: ZMQContext
    private let done = DispatchSemaphore(value: 0)

    public init(endpoints: MeshEndpoints, logger: Logger) throws {
        self.endpoints = endpoints
        self.logger = logger
        context = try ZMQContext()
    }

    /// Binds both sides and starts forwarding. Bind errors (endpoint in use, bad path) throw here.
    public func start() throws {
        MeshEndpoints.prepareDirectory(for: endpoints.frontend)
        MeshEndpoints.prepareDirectory(for: endpoints.backend)
        let xsub = try ZMQSocket(context: context, type: .xsub)
        let xpub = try ZMQSocket(context: context, type: .xpub)
        for s in [xsub, xpub] {
            try s.setLinger(milliseconds: 0)
            try s.setSendHighWaterMark(0)
            try s.setReceiveHighWaterMark(0)
        }
        try xsub.bind(endpoints.frontend)
        try xpub.bind(endpoints.backend)
        logger.info("bus forwarder listening", metadata: [
            "frontend": "\(endpoints.frontend)", "backend": "\(endpoints.backend)",
        ])
        let thread = Thread { [self] in
            zmq_proxy(xsub.handle, xpub.handle, nil)   // returns on context shutdown (ETERM)
            xsub.close()
            xpub.close()
            context.terminate()
            done.signal()
        }
        thread.name = "bus-proxy"
        thread.start()
    }

    /// Stops forwarding and closes the sockets. Returns once the forwarder has stopped; `wait()` returns too.
    public func stop() {
        context.shutdown()
        wait()
    }

    /// Blocks until the forwarder has stopped. Any number of callers may wait: each passes the signal on.
    public func wait() {
        done.wait()
        done.signal()
    }
}
