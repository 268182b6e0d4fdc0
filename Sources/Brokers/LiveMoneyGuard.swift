/// Refuses to trade real money unless the configuration and the operator both say so.
///
/// `paper` is the default everywhere. A broker that can move real money (anything but the simulated broker or a
/// paper account) needs `mode: live` in `config/risk.yaml` **and** `TRADEMESH_LIVE=I_UNDERSTAND` **and**
/// `TRADEMESH_LIVE_ACCOUNT` equal to the account the broker will use.
public enum LiveMoneyGuard {
    /// The kinds of broker, by how much they can lose.
    public enum BrokerKind: String, Sendable, CaseIterable {
        case simulated
        case ibkrPaper = "ibkr-paper"
        case ibkrLive = "ibkr-live"

        public var movesRealMoney: Bool { self == .ibkrLive }
    }

    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Throws a `Refusal` that lists exactly what is missing.
    public static func check(broker: BrokerKind, mode: String, account: String?,
                             environment: [String: String]) throws {
        guard broker.movesRealMoney else { return }
        var missing: [String] = []
        if mode != "live" { missing.append("`mode: live` in the risk config (it says `\(mode)`)") }
        if environment["TRADEMESH_LIVE"] != "I_UNDERSTAND" {
            missing.append("the environment variable TRADEMESH_LIVE=I_UNDERSTAND")
        }
        if let account, !account.isEmpty {
            if environment["TRADEMESH_LIVE_ACCOUNT"] != account {
                missing.append("TRADEMESH_LIVE_ACCOUNT=\(account) (the account id, typed again)")
            }
        } else {
            missing.append("the account id (--account)")
        }
        if !missing.isEmpty {
            throw Refusal(description: "refusing to trade real money with the \(broker.rawValue) broker: missing "
                          + missing.joined(separator: "; "))
        }
    }
}
