import IBKRProtocol
import TradingCore

extension TWSSimCore {
    /// `placeOrder`: a new order, or a change to a working one (same id). Orders placed with `transmit: false`
    /// are held until an order of their bracket (the parent or a child) is transmitted; a child works once its
    /// parent has filled.
    mutating func place(orderId: Int, contract: IBKRContract, order: IBKROrder, from connection: Int)
        -> [TWSSimOutput] {
        var out: [TWSSimOutput] = []
        func send(_ message: IBKRIncomingMessage) { out.append(.send(message, to: connection)) }
        let clientId = connections[connection]?.clientId ?? 0
        if duplicateNextOrder || (orders[orderId].map { !$0.isOpen } ?? false) {
            duplicateNextOrder = false
            send(error(orderId, 103, "Duplicate order id"))
            return out
        }
        guard serves(contract) else {
            send(error(orderId, 200, "No security definition has been found for the request"))
            return out
        }
        if rejectNextOrder || (!order.account.isEmpty && order.account != configuration.account) {
            let reason = rejectNextOrder ? "scripted rejection" : "account \(order.account) is not managed here"
            rejectNextOrder = false
            send(error(orderId, 201, "Order rejected - reason:\(reason)", json: "{\"rejectCode\":\"TWSSim\"}"))
            return out
        }
        if order.parentId != 0, orders[order.parentId]?.isOpen != true {
            send(error(orderId, 201, "Order rejected - reason:parent order \(order.parentId) is not open"))
            return out
        }
        var accepted = order
        if accepted.account.isEmpty { accepted.account = configuration.account }
        if var existing = orders[orderId] {
            existing.order = accepted
            existing.contract = configuration.contract
            if accepted.transmit && existing.state == .held { existing.state = .working }
            orders[orderId] = existing
        } else {
            orders[orderId] = TWSSimOrder(orderId: orderId, clientId: clientId, permId: nextPermId,
                                          contract: configuration.contract, order: accepted,
                                          state: accepted.transmit ? .working : .held)
            nextPermId += 1
            sequence.append(orderId)
        }
        nextOrderId = max(nextOrderId, orderId + 1)
        guard accepted.transmit else { return out }
        // Transmitting releases the whole bracket: the parent and every held child.
        let root = accepted.parentId == 0 ? orderId : accepted.parentId
        for id in sequence where id == root || orders[id]?.order.parentId == root {
            guard var member = orders[id], member.isOpen else { continue }
            member.state = .working
            orders[id] = member
            let status = member.order.parentId != 0 && orders[member.order.parentId]?.state != .filled
                ? "PreSubmitted" : "Submitted"
            out += toOwner(member.clientId, .openOrder(member.openOrder(status)), .orderStatus(member.status(status)))
        }
        return out
    }

    /// `cancelOrder`.
    mutating func cancel(orderId: Int, from connection: Int) -> [TWSSimOutput] {
        guard orders[orderId]?.isOpen == true else {
            return [.send(error(orderId, 10_147, "OrderId \(orderId) that needs to be cancelled is not found."),
                          to: connection)]
        }
        return cancelled(orderId, reason: "")
    }

    /// Cancels an open order and its open children: `orderStatus` Cancelled and error 202 to the owner.
    mutating func cancelled(_ orderId: Int, reason: String) -> [TWSSimOutput] {
        guard var order = orders[orderId], order.isOpen else { return [] }
        order.state = .cancelled
        order.completedTime = TWSSimTime.text(clock)
        orders[orderId] = order
        var out = toOwner(order.clientId, .orderStatus(order.status("Cancelled")),
                          error(orderId, 202, "Order Canceled - reason:" + reason))
        for id in sequence where orders[id]?.order.parentId == orderId {
            out += cancelled(id, reason: "parent cancelled")
        }
        return out
    }

    /// Messages for the connection of API client `clientId`; none when it is not connected (the client finds
    /// them again through `reqExecutions`, `reqOpenOrders` and `reqCompletedOrders`).
    func toOwner(_ clientId: Int, _ messages: IBKRIncomingMessage...) -> [TWSSimOutput] {
        guard let connection = connection(ofClient: clientId) else { return [] }
        return messages.map { .send($0, to: connection) }
    }

    /// Fills the working orders the new bar reaches, in the order they were placed; a child starts working when
    /// its parent fills (and may fill on the same bar); a fill cancels the rest of its OCA group.
    mutating func fillOrders(on bar: Bar) -> [TWSSimOutput] {
        var out: [TWSSimOutput] = []
        for id in sequence {
            guard var order = orders[id], order.state == .working else { continue }
            if order.order.parentId != 0, orders[order.order.parentId]?.state != .filled { continue }
            guard let price = fillPrice(&order, bar) else {
                orders[id] = order
                continue
            }
            order.state = .filled
            order.filledPrice = price
            order.completedTime = TWSSimTime.text(bar.time)
            orders[id] = order
            out += fill(order, at: price, time: bar.time)
            if !order.order.ocaGroup.isEmpty {
                for other in sequence where other != id && orders[other]?.order.ocaGroup == order.order.ocaGroup {
                    out += cancelled(other, reason: "OCA group filled")
                }
            }
            for child in sequence where orders[child]?.order.parentId == id && orders[child]?.state == .working {
                if let member = orders[child] {
                    out += toOwner(member.clientId, .orderStatus(member.status("Submitted")))
                }
            }
            out += faults(firing: .afterFill(fillCount))
        }
        return out
    }

    /// The price the bar fills `order` at, by the simulated broker's rule for resting orders; a stop-limit whose
    /// stop trades becomes a limit order.
    private func fillPrice(_ order: inout TWSSimOrder, _ bar: Bar) -> Double? {
        let side: OrderSide = order.order.action == .buy ? .buy : .sell
        switch order.order.type {
        case .market:
            return SimulatedBroker.restingFillPrice(side: side, type: .market, level: nil, bar: bar)
        case .limit(let limit):
            return SimulatedBroker.restingFillPrice(side: side, type: .limit, level: limit, bar: bar)
        case .stop(let stop):
            return SimulatedBroker.restingFillPrice(side: side, type: .stop, level: stop, bar: bar)
        case .stopLimit(let stop, let limit):
            if !order.triggered {
                guard SimulatedBroker.restingFillPrice(side: side, type: .stop, level: stop, bar: bar) != nil else {
                    return nil
                }
                order.triggered = true
            }
            return SimulatedBroker.restingFillPrice(side: side, type: .limit, level: limit, bar: bar)
        }
    }

    /// Books a fill and reports it: `openOrder` and `orderStatus` Filled, `execDetails` (a new execId), then its
    /// `commissionReport`.
    private mutating func fill(_ order: TWSSimOrder, at price: Double, time: Int64) -> [TWSSimOutput] {
        fillCount += 1
        let quantity = order.order.quantity.doubleValue
        let buying = order.order.action == .buy
        let signed = buying ? quantity : -quantity
        let commission = max(configuration.minimumCommission, quantity * configuration.commissionPerShare)
        var realized: Double?
        if position == 0 || (position > 0) == buying {
            averageCost = (averageCost * abs(position) + price * quantity) / (abs(position) + quantity)
        } else {
            let closing = min(abs(position), quantity)
            let gain = (price - averageCost) * closing * (position > 0 ? 1 : -1)
            realizedPNL += gain
            realized = gain - commission
            if quantity > closing { averageCost = price }
        }
        position += signed
        if position == 0 { averageCost = 0 }
        cash -= signed * price + commission
        let execId = Self.hex(UInt32(truncatingIfNeeded: time)) + "." + Self.hex(UInt32(fillCount)) + ".01.01"
        let execution = IBKRExecution(
            reqId: -1, orderId: order.orderId, contract: order.contract, execId: execId,
            time: TWSSimTime.text(time), account: order.order.account, exchange: "SMART",
            side: buying ? "BOT" : "SLD", shares: order.order.quantity, price: price, permId: order.permId,
            clientId: order.clientId, cumulativeQuantity: order.order.quantity, averagePrice: price,
            orderRef: order.order.orderRef, lastLiquidity: 2)
        let report = IBKRCommissionReport(execId: execId, commission: commission, currency: "USD",
                                          realizedPNL: realized)
        executions.append((execution, report))
        return toOwner(order.clientId, .openOrder(order.openOrder("Filled")), .orderStatus(order.status("Filled")),
                       .execution(execution), .commissionReport(report))
    }

    private static func hex(_ value: UInt32) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 8 - text.count) + text
    }
}
