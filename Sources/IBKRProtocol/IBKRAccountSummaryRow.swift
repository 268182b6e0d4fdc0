/// An `accountSummary` message (63): one tag of one account, in answer to `reqAccountSummary`.
public struct IBKRAccountSummaryRow: Sendable, Hashable {
    /// The request id.
    public var reqId: Int
    /// The account.
    public var account: String
    /// The tag, e.g. `NetLiquidation`.
    public var tag: String
    /// The value as TWS writes it (numbers as text, e.g. `1000000.00`).
    public var value: String
    /// Its currency (empty for non-monetary tags).
    public var currency: String

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        try reader.skip("version")
        reqId = try reader.int("reqId")
        account = try reader.string("account")
        tag = try reader.string("tag")
        value = try reader.string("value")
        currency = try reader.string("currency")
    }
}

extension IBKRAccountSummaryRow {
    /// One account summary value.
    public init(reqId: Int, account: String, tag: String, value: String, currency: String) {
        self.reqId = reqId
        self.account = account
        self.tag = tag
        self.value = value
        self.currency = currency
    }
}
