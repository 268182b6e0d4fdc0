/// A tag/value pair as the API sends lists of them (security ids, algo parameters, ineligibility reasons).
public struct IBKRTagValue: Sendable, Hashable {
    /// The tag.
    public var tag: String
    /// The value.
    public var value: String

    /// A pair.
    public init(tag: String, value: String) {
        self.tag = tag
        self.value = value
    }

    /// Reads a count field, then that many tag/value pairs.
    static func list(_ reader: inout IBKRFieldReader, count countField: String, tag: String,
                     value: String) throws(IBKRProtocolError) -> [IBKRTagValue] {
        let count = try reader.int(countField)
        guard count > 0 else { return [] }
        var result: [IBKRTagValue] = []
        for _ in 0..<count {
            result.append(IBKRTagValue(tag: try reader.string(tag), value: try reader.string(value)))
        }
        return result
    }
}
