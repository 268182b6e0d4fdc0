import IBKRProtocol

/// What the simulator core asks its socket layer to do, in order.
public enum TWSSimOutput: Sendable, Equatable {
    /// Send `message` on connection `connection`.
    case send(IBKRIncomingMessage, to: Int)
    /// Close connection `connection` (after sending what came before).
    case disconnect(Int)
}
