/// An `updateAccountValue` message (6): one key of the account subscribed with `reqAccountUpdates`.
public struct IBKRAccountValue: Sendable, Hashable {
    /// The key, e.g. `NetLiquidation`.
    public var key: String
    /// The value as text.
    public var value: String
    /// Its currency.
    public var currency: String
    /// The account.
    public var account: String

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        try reader.skip("version")
        key = try reader.string("key")
        value = try reader.string("value")
        currency = try reader.string("currency")
        account = try reader.string("accountName")
    }
}

extension IBKRAccountValue {
    /// One account value of `account`.
    public init(key: String, value: String, currency: String, account: String) {
        self.key = key
        self.value = value
        self.currency = currency
        self.account = account
    }
}
