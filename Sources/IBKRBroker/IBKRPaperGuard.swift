import Brokers

/// Orders go to Interactive Brokers only when every account of the login is a paper account — unless the
/// live-money guard was fully satisfied for exactly the account traded.
///
/// The socket protocol has no paper flag; the account ids are the in-band signal: paper accounts start with `D`
/// (`DU…` individual, `DF…` paper FA master, `DI…` paper non-disclosed broker master), live ones with `U`, `F`, `I`.
/// The check runs on every connect (the login can change while disconnected).
public enum IBKRPaperGuard {
    /// Why orders are refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible, Equatable {
        /// The reason, naming the accounts.
        public let description: String

        /// A refusal with its reason.
        public init(description: String) { self.description = description }
    }

    /// The prefixes of IB paper account ids.
    public static let paperPrefixes = ["DU", "DF", "DI"]

    /// True for an IB paper account id.
    public static func isPaperAccount(_ account: String) -> Bool {
        paperPrefixes.contains { account.hasPrefix($0) }
    }

    /// Throws a `Refusal` unless orders for `account` may go out in a session with these managed accounts.
    /// `liveMoneyAllowed` is true only when `LiveMoneyGuard` accepted the live broker for exactly `account`; even
    /// then every other managed account must be a paper account.
    public static func check(managedAccounts: [String], account: String, liveMoneyAllowed: Bool) throws(Refusal) {
        guard !managedAccounts.isEmpty else { throw Refusal(description: "TWS reported no managed accounts") }
        guard !account.isEmpty else {
            throw Refusal(description: "no account configured (--account); the login manages "
                          + managedAccounts.joined(separator: ", "))
        }
        guard managedAccounts.contains(account) else {
            throw Refusal(description: "account \(account) is not among the accounts of this TWS login ("
                          + managedAccounts.joined(separator: ", ") + ")")
        }
        let live = managedAccounts.filter { !isPaperAccount($0) && !(liveMoneyAllowed && $0 == account) }
        guard live.isEmpty else {
            throw Refusal(description: "refusing to send orders: " + live.joined(separator: ", ")
                          + (live.count == 1 ? " is a live account" : " are live accounts")
                          + " (paper ids start with DU, DF or DI); live trading needs the live-money guard "
                          + "satisfied for exactly that account (--broker ibkr-live, mode: live, "
                          + "TRADEMESH_LIVE=I_UNDERSTAND, TRADEMESH_LIVE_ACCOUNT)")
        }
    }

    /// Whether the live-money guard is fully satisfied for the live IBKR broker and exactly `account`.
    public static func liveMoneyAllowed(mode: String, account: String, environment: [String: String]) -> Bool {
        (try? LiveMoneyGuard.check(broker: .ibkrLive, mode: mode, account: account, environment: environment)) != nil
    }
}
