import CZMQ
import Foundation
import Logging
import Synchronization

/// The bus forwarder: an XSUB socket bound at `frontend` (services publish into it) joined to an XPUB socket
/// bound at `backend` (services and taps subscribe there) by `zmq_proxy` on its own thread.
/// Subscriptions travel upstream, so publishers only send what somebody wants.
///
/// An `ipc://` endpoint is claimed first (`EndpointLock`): a second forwarder on the same endpoints refuses to
/// start, naming the first, instead of taking the bus over.
public final class BusProxy: Sendable {
    private let endpoints: MeshEndpoints
    private let logger: Logger
    private let context: ZMQContext
    private let done = DispatchSemaphore(value: 0)
    /// The claims on the endpoints, held while the forwarder runs.
    private let claims = Mutex<[EndpointLock]>([])
    private let bound = Mutex<MeshEndpoints?>(nil)

    /// The endpoints as bound, once `start()` has returned: a wildcard port (`tcp://127.0.0.1:*`) is replaced by
    /// the port the system picked, which is what the services must connect to.
    public var boundEndpoints: MeshEndpoints? { bound.withLock { $0 } }

    public init(endpoints: MeshEndpoints, logger: Logger) throws {
        self.endpoints = endpoints
        self.logger = logger
        context = try ZMQContext()
    }

    /// Claims and binds both sides and starts forwarding. A claimed endpoint (another forwarder runs there) or a
    /// bind error (address in use, bad path, unknown transport) throws here, naming the endpoint and the reason,
    /// with everything opened so far closed again.
    public func start() throws {
        var opened: [ZMQSocket] = []
        let xsub: ZMQSocket, xpub: ZMQSocket
        do {
            let locks = [try EndpointLock.claim(endpoints.frontend, role: "bus frontend"),
                         try EndpointLock.claim(endpoints.backend, role: "bus backend")]
            claims.withLock { $0 = locks }
            MeshEndpoints.prepareDirectory(for: endpoints.frontend)
            MeshEndpoints.prepareDirectory(for: endpoints.backend)
            xsub = try ZMQSocket(context: context, type: .xsub)
            opened.append(xsub)
            xpub = try ZMQSocket(context: context, type: .xpub)
            opened.append(xpub)
            for s in [xsub, xpub] {
                try s.setLinger(milliseconds: 0)
                try s.setSendHighWaterMark(0)
                try s.setReceiveHighWaterMark(0)
            }
            do { try xsub.bind(endpoints.frontend) } catch {
                throw MeshError.endpoint("bus frontend", endpoints.frontend, "bind", error)
            }
            do { try xpub.bind(endpoints.backend) } catch {
                throw MeshError.endpoint("bus backend", endpoints.backend, "bind", error)
            }
        } catch {
            for s in opened { s.close() }
            context.terminate()
            claims.withLock { $0 = [] }
            throw error
        }
        var actual = endpoints
        actual.frontend = (try? xsub.lastEndpoint()) ?? endpoints.frontend
        actual.backend = (try? xpub.lastEndpoint()) ?? endpoints.backend
        bound.withLock { $0 = actual }
        logger.info("bus forwarder listening", metadata: [
            "frontend": "\(actual.frontend)", "backend": "\(actual.backend)",
        ])
        let thread = Thread { [self] in
            zmq_proxy(xsub.handle, xpub.handle, nil)   // returns on context shutdown (ETERM)
            xsub.close()
            xpub.close()
            context.terminate()
            self.claims.withLock { $0 = [] }
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
