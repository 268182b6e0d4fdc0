/// What the connection learned by the time it became ready.
public struct IBKRSessionInfo: Sendable, Hashable {
    /// The negotiated server version (always 200 for this client).
    public var serverVersion: Int
    /// TWS's connection time text (for logs).
    public var connectionTime: String
    /// The first usable order id.
    public var nextValidId: Int
    /// The accounts of the login.
    public var accounts: [String]

    /// Session facts.
    public init(serverVersion: Int, connectionTime: String, nextValidId: Int, accounts: [String]) {
        self.serverVersion = serverVersion
        self.connectionTime = connectionTime
        self.nextValidId = nextValidId
        self.accounts = accounts
    }
}
