import CZMQ

/// The ZeroMQ socket patterns TradeMesh uses.
public enum ZMQSocketType: Sendable {
    case pub, sub, xpub, xsub, pair, dealer, router, push, pull

    var raw: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .pair: ZMQ_PAIR
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        }
    }
}
