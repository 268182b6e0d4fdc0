/// The field groups `openOrder` (5) and `completedOrder` (101) share at server version 200, including the blocks
/// whose presence depends on values earlier in the same message (delta-neutral, combo legs, scale, hedge, algo,
/// pegged-to-benchmark, conditions). Fields this client does not use are read for their shape and dropped.
enum IBKROrderFieldWalker {
    /// Skips `names.count` fields, naming each in case one is missing.
    static func skip(_ reader: inout IBKRFieldReader, _ names: [String]) throws(IBKRProtocolError) {
        for name in names { try reader.skip(name) }
    }

    /// Volatility order parameters; `openOrderAttributes` adds the delta-neutral clearing fields openOrder has.
    static func volatility(_ reader: inout IBKRFieldReader, openOrderAttributes: Bool) throws(IBKRProtocolError)
        -> String {
        try skip(&reader, ["volatility", "volatilityType"])
        let deltaNeutralOrderType = try reader.string("deltaNeutralOrderType")
        try reader.skip("deltaNeutralAuxPrice")
        if !deltaNeutralOrderType.isEmpty {
            try reader.skip("deltaNeutralConId")
            if openOrderAttributes {
                try skip(&reader, ["deltaNeutralSettlingFirm", "deltaNeutralClearingAccount",
                                   "deltaNeutralClearingIntent", "deltaNeutralOpenClose"])
            }
            try skip(&reader, ["deltaNeutralShortSale", "deltaNeutralShortSaleSlot",
                               "deltaNeutralDesignatedLocation"])
        }
        try skip(&reader, ["continuousUpdate", "referencePriceType"])
        return deltaNeutralOrderType
    }

    /// Combo legs (description, legs, order legs) and smart-combo routing parameters.
    static func comboLegsAndRouting(_ reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        try reader.skip("comboLegsDescrip")
        let legs = try reader.int("comboLegsCount")
        for _ in 0..<max(legs, 0) {
            try skip(&reader, ["comboLegConId", "comboLegRatio", "comboLegAction", "comboLegExchange",
                               "comboLegOpenClose", "comboLegShortSaleSlot", "comboLegDesignatedLocation",
                               "comboLegExemptCode"])
        }
        let orderLegs = try reader.int("orderComboLegsCount")
        for _ in 0..<max(orderLegs, 0) { try reader.skip("orderComboLegPrice") }
        _ = try IBKRTagValue.list(&reader, count: "smartComboRoutingParamsCount", tag: "smartComboRoutingTag",
                                  value: "smartComboRoutingValue")
    }

    /// Scale order parameters (seven more when a positive price increment is set) and the hedge type/param.
    static func scaleAndHedge(_ reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        try skip(&reader, ["scaleInitLevelSize", "scaleSubsLevelSize"])
        if let increment = try reader.optionalDouble("scalePriceIncrement"), increment > 0 {
            try skip(&reader, ["scalePriceAdjustValue", "scalePriceAdjustInterval", "scaleProfitOffset",
                               "scaleAutoReset", "scaleInitPosition", "scaleInitFillQty", "scaleRandomPercent"])
        }
        let hedgeType = try reader.string("hedgeType")
        if !hedgeType.isEmpty { try reader.skip("hedgeParam") }
    }

    /// The delta-neutral contract (three more when present) and the algo strategy with its parameters.
    static func deltaNeutralAndAlgo(_ reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        if try reader.bool("deltaNeutralContractPresent") {
            try skip(&reader, ["deltaNeutralContractConId", "deltaNeutralContractDelta",
                               "deltaNeutralContractPrice"])
        }
        let algo = try reader.string("algoStrategy")
        if !algo.isEmpty {
            _ = try IBKRTagValue.list(&reader, count: "algoParamsCount", tag: "algoParamTag",
                                      value: "algoParamValue")
        }
    }

    /// Pegged-to-benchmark parameters (only for that order type) and the order conditions, which this client
    /// never places and so refuses to guess the shape of.
    static func pegBenchAndConditions(_ reader: inout IBKRFieldReader, orderType: String,
                                      message: String) throws(IBKRProtocolError) {
        if orderType == "PEG BENCH" || orderType == "PEGBENCH" {
            try skip(&reader, ["referenceContractId", "isPeggedChangeAmountDecrease", "peggedChangeAmount",
                               "referenceChangeAmount", "referenceExchangeId"])
        }
        let conditions = try reader.int("conditionsCount")
        if conditions > 0 {
            throw .unexpectedMessage("\(message): order with \(conditions) order condition(s); conditional orders "
                                     + "are not supported by this client")
        }
    }

    /// minTradeQty, minCompeteSize, competeAgainstBestOffset, midOffsetAtWhole, midOffsetAtHalf.
    static func pegBestPegMid(_ reader: inout IBKRFieldReader) throws(IBKRProtocolError) {
        try skip(&reader, ["minTradeQty", "minCompeteSize", "competeAgainstBestOffset", "midOffsetAtWhole",
                           "midOffsetAtHalf"])
    }
}
