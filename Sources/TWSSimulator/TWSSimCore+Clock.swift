import IBKRProtocol
import TradingCore

extension TWSSimCore {
    /// Moves the clock one bar on: working orders fill on the new bar, 5-second bar subscribers get the bars
    /// inside it, keepUpToDate history subscribers get its update, then the faults scripted for this step fire.
    /// At the last bar nothing moves and nothing is sent.
    public mutating func advance() -> [TWSSimOutput] {
        guard !isAtEnd else { return [] }
        barIndex += 1
        steps += 1
        let bar = bars[barIndex]
        var out = fillOrders(on: bar)
        for (connection, state) in connections.sorted(by: { $0.key < $1.key }) {
            for reqId in state.realTimeBars {
                for sub in TWSSimBarSynthesis.realTimeBars(of: bar, interval: barInterval, reqId: reqId) {
                    out.append(.send(.realTimeBar(sub), to: connection))
                }
            }
            for (reqId, factor) in state.keepUpToDate.sorted(by: { $0.key < $1.key }) {
                let group = TWSSimBarSynthesis.group(of: barIndex, in: bars, factor: factor)
                out.append(.send(.historicalDataUpdate(reqId: reqId, bar: historicalBar(group, formatDate: 1,
                                                                                        barCount: -1)),
                                 to: connection))
            }
        }
        out += faults(firing: .atBar(steps))
        return out
    }

    /// Performs the faults scripted for `trigger`.
    mutating func faults(firing trigger: TWSSimFault.Trigger) -> [TWSSimOutput] {
        var out: [TWSSimOutput] = []
        for fault in configuration.faults where fault.trigger == trigger {
            let everyone = connections.keys.sorted()
            switch fault.action {
            case .disconnect:
                out += everyone.map { .disconnect($0) }
            case .error1100:
                let message = error(-1, 1100, "Connectivity between IB and Trader Workstation has been lost.")
                out += everyone.map { .send(message, to: $0) }
            case .error1101:
                let message = error(-1, 1101, "Connectivity between IB and Trader Workstation has been restored - "
                                    + "data lost.")
                out += everyone.map { .send(message, to: $0) }
                for connection in everyone {
                    connections[connection]?.realTimeBars = []
                    connections[connection]?.keepUpToDate = [:]
                }
            case .error1102:
                let message = error(-1, 1102, "Connectivity between IB and Trader Workstation has been restored - "
                                    + "data maintained.")
                out += everyone.map { .send(message, to: $0) }
            case .rejectNextOrder:
                rejectNextOrder = true
            case .pacingViolation:
                pacingViolationNext = true
            case .duplicateId:
                duplicateNextOrder = true
            }
        }
        return out
    }

    /// `reqHistoricalData`: bars ending at the clock (or at `endDateTime`, in UTC), of the data's bar size or a
    /// multiple of it, then `historicalDataEnd`; with keepUpToDate, an update per clock step.
    mutating func history(_ request: IBKRHistoricalDataRequest, from connection: Int) -> [TWSSimOutput] {
        let reqId = request.reqId
        func refuse(_ code: Int, _ text: String) -> [TWSSimOutput] {
            [.send(error(reqId, code, text), to: connection)]
        }
        if let refusal = marketDataRefusal(reqId, request.contract, code: 162,
                                           "Historical Market Data Service error message:API historical data query "
                                               + "cancelled: pacing violation") {
            return [.send(refusal, to: connection)]
        }
        guard let barSeconds = TWSSimBarSynthesis.seconds(ofBarSize: request.barSize), barSeconds >= barInterval,
              barSeconds % barInterval == 0 else {
            return refuse(162, "Historical Market Data Service error message:TWSSim serves bars of \(barInterval) "
                          + "seconds and multiples of them, not '\(request.barSize)'")
        }
        guard let durationSeconds = TWSSimBarSynthesis.seconds(ofDuration: request.duration) else {
            return refuse(321, "Error validating request: historical data duration '\(request.duration)' is not "
                          + "'N S|D|W|M|Y'")
        }
        var endIndex = barIndex
        if !request.endDateTime.isEmpty {
            guard let end = TWSSimTime.parse(request.endDateTime) else {
                return refuse(321, "Error validating request: TWSSim reads end times in UTC ('yyyymmdd-hh:mm:ss' or "
                              + "'yyyymmdd hh:mm:ss UTC'), not '\(request.endDateTime)'")
            }
            endIndex = min(barIndex, (bars.lastIndex { $0.time + barInterval <= end }) ?? -1)
        }
        let factor = Int(barSeconds / barInterval)
        let startTime = bars[max(endIndex, 0)].time + barInterval - durationSeconds
        let startIndex = max(0, bars.firstIndex { $0.time >= startTime } ?? 0)
        let slice = endIndex >= startIndex ? bars[startIndex...endIndex] : []
        let answer = TWSSimBarSynthesis.aggregate(slice, factor: factor).map {
            historicalBar($0, formatDate: request.formatDate, barCount: 1)
        }
        if request.keepUpToDate { connections[connection]?.keepUpToDate[reqId] = factor }
        let endTime = endIndex >= 0 ? bars[endIndex].time + barInterval : startTime
        return [.send(.historicalData(reqId: reqId, bars: answer), to: connection),
                .send(.historicalDataEnd(reqId: reqId, start: TWSSimTime.text(startTime),
                                         end: TWSSimTime.text(endTime)), to: connection)]
    }

    /// A bar as history sends it: dated at its start, as text (`formatDate` 1) or epoch seconds (2).
    func historicalBar(_ bar: Bar, formatDate: Int, barCount: Int) -> IBKRHistoricalBar {
        let wap = TWSSimBarSynthesis.rounded((bar.high + bar.low + bar.close) / 3)
        return IBKRHistoricalBar(date: formatDate == 2 ? String(bar.time) : TWSSimTime.text(bar.time),
                                 open: bar.open, high: bar.high, low: bar.low, close: bar.close,
                                 volume: IBKRDecimal(Int(bar.volume.rounded())), wap: IBKRDecimal(exactly: wap),
                                 barCount: barCount)
    }
}
