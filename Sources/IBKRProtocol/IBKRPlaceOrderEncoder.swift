/// The 118 fields of `placeOrder` after its id at server version 200, for the orders `IBKROrder` can express.
/// Everything this client does not set is written as the official client writes a fresh order (empty, `0`, or the
/// unset sentinels), so the bytes equal its bytes; the conditional blocks (combo legs, delta-neutral, scale, algo,
/// conditions, pegged orders) never appear because no such order can be built here.
enum IBKRPlaceOrderEncoder {
    static func write(orderId: Int, contract: IBKRContract, order: IBKROrder,
                      to writer: inout IBKRMessageWriter) throws(IBKRProtocolError) {
        guard contract.secType != "BAG" else {
            throw .invalidRequest("placeOrder", field: "secType", "BAG (combo) orders are not supported")
        }
        guard contract.exchange != "IBKRATS" else {
            throw .invalidRequest("placeOrder", field: "exchange", "IBKRATS orders are not supported")
        }
        guard !order.quantity.isNegative, order.quantity != .zero else {
            throw .invalidRequest("placeOrder", field: "totalQuantity",
                                  "must be positive (got \(order.quantity)); the side is the action")
        }
        let unsetDouble = IBKRMessageWriter.unsetDoubleText
        let unsetInteger = IBKRMessageWriter.unsetIntegerText
        writer.add(orderId)
        try contract.write(to: &writer)
        writer.addEmpty(2)  // secIdType, secId
        try writer.add(order.action.rawValue, field: "action")
        writer.add(order.quantity)
        writer.addLiteral(order.type.wireName)
        writer.addOrEmpty(order.type.limitPrice)
        writer.addOrEmpty(order.type.auxPrice)
        try writer.add(order.timeInForce?.rawValue ?? "", field: "tif")
        try writer.add(order.ocaGroup, field: "ocaGroup")
        try writer.add(order.account, field: "account")
        writer.addEmpty()  // openClose
        writer.add(0)  // origin: customer
        try writer.add(order.orderRef, field: "orderRef")
        writer.add(order.transmit)
        writer.add(order.parentId)
        writer.add(false)  // blockOrder
        writer.add(false)  // sweepToFill
        writer.add(0)  // displaySize
        writer.add(0)  // triggerMethod
        writer.add(order.outsideRegularTradingHours)
        writer.add(false)  // hidden
        writer.addEmpty()  // sharesAllocation (deprecated)
        writer.add(0)  // discretionaryAmt
        writer.addEmpty(6)  // goodAfterTime, goodTillDate, faGroup, faMethod, faPercentage, modelCode
        writer.add(0)  // shortSaleSlot
        writer.addEmpty()  // designatedLocation
        writer.add(-1)  // exemptCode
        writer.add(order.ocaType.rawValue)
        writer.addEmpty(2)  // rule80A, settlingFirm
        writer.add(false)  // allOrNone
        writer.addEmpty(2)  // minQty, percentOffset
        writer.add(false)  // eTradeOnly (deprecated, must be 0)
        writer.add(false)  // firmQuoteOnly (deprecated)
        writer.addEmpty()  // nbboPriceCap (deprecated)
        writer.add(0)  // auctionStrategy
        writer.addEmpty(5)  // startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper
        writer.add(false)  // overridePercentageConstraints
        writer.addEmpty(4)  // volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice
        writer.add(false)  // continuousUpdate
        writer.addEmpty(9)  // referencePriceType, trailStopPrice, trailingPercent, scaleInitLevelSize,
        // scaleSubsLevelSize, scalePriceIncrement, scaleTable, activeStartTime, activeStopTime
        writer.addEmpty()  // hedgeType
        writer.add(false)  // optOutSmartRouting
        writer.addEmpty(2)  // clearingAccount, clearingIntent
        writer.add(false)  // notHeld
        writer.add(false)  // deltaNeutralContract present
        writer.addEmpty(2)  // algoStrategy, algoId
        writer.add(false)  // whatIf
        writer.addEmpty()  // orderMiscOptions
        writer.add(false)  // solicited
        writer.add(false)  // randomizeSize
        writer.add(false)  // randomizePrice
        writer.add(0)  // conditions count
        writer.addEmpty()  // adjustedOrderType
        for _ in 0..<5 {  // triggerPrice, lmtPriceOffset, adjustedStopPrice, adjustedStopLimitPrice,
            // adjustedTrailingAmount
            try writer.add(unsetDouble, field: "adjusted")
        }
        writer.add(0)  // adjustableTrailingUnit
        writer.addEmpty(3)  // extOperator, softDollarTier name, value
        try writer.add(unsetDouble, field: "cashQty")
        writer.addEmpty(4)  // mifid2DecisionMaker, mifid2DecisionAlgo, mifid2ExecutionTrader, mifid2ExecutionAlgo
        writer.add(false)  // dontUseAutoPriceForHedge
        writer.add(false)  // isOmsContainer
        writer.add(false)  // discretionaryUpToLimitPrice
        writer.addEmpty()  // usePriceMgmtAlgo unset
        try writer.add(unsetInteger, field: "duration")
        try writer.add(unsetInteger, field: "postToAts")
        writer.add(false)  // autoCancelParent
        writer.addEmpty(3)  // advancedErrorOverride, manualOrderTime, customerAccount
        writer.add(false)  // professionalCustomer
        writer.add(false)  // includeOvernight
        try writer.add(unsetInteger, field: "manualOrderIndicator")
        writer.add(false)  // imbalanceOnly
    }
}
