/// An `error` message (4): a TWS notice, warning or error about a request, an order or the connection.
public struct IBKRErrorMessage: Sendable, Hashable {
    /// The request or order id it is about; -1 for connection-wide notices.
    public var reqId: Int
    /// The TWS error code (see `IBKRErrorCode`).
    public var code: Int
    /// The text, `\uXXXX` escapes resolved.
    public var message: String
    /// Details of an order rejection as JSON text (empty when none).
    public var advancedOrderRejectJson: String
    /// When TWS raised it, epoch milliseconds (0 when not sent).
    public var timeMilliseconds: Int64

    /// An error message.
    public init(reqId: Int, code: Int, message: String, advancedOrderRejectJson: String = "",
                timeMilliseconds: Int64 = 0) {
        self.reqId = reqId
        self.code = code
        self.message = message
        self.advancedOrderRejectJson = advancedOrderRejectJson
        self.timeMilliseconds = timeMilliseconds
    }

    /// What the code means for the connection and the orders.
    public var kind: IBKRErrorCode { IBKRErrorCode(code: code) }

    init(reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        reqId = try reader.int("reqId")
        code = try reader.int("errorCode")
        message = try reader.escapedString("errorString")
        advancedOrderRejectJson = try reader.escapedString("advancedOrderRejectJson")
        timeMilliseconds = Int64(try reader.int("errorTime"))
    }
}
