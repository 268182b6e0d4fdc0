import MeshKit
import Logging
import TradingCore

/// The execution service's work: joins `bar.<SYMBOL>` and `signal.<SYMBOL>` by sequence number and drives the
/// execution model: bar N is executed only once the decision on bar N − 1's close has been applied. Per bar it
/// publishes the orders and fills (`order.<SYMBOL>`, `fill.<SYMBOL>`) and the account (`pnl.<SYMBOL>`, when
/// someone subscribes), and after each batch `ctl.ack` with the last bar's sequence number — the replay's credit. After the signal stream's `ctl.end`
/// it finishes the run, hands the result to `onFinish` (which writes the result files) and publishes its own
/// `ctl.end` on `pnl.<SYMBOL>`.
public struct ExecutionNode: Sendable {
    public typealias Finish = @Sendable (BacktestResult) throws -> Void
    /// Called with each executed bar's summary line (the live metrics log).
    public typealias BarLog = @Sendable (BarReport) -> Void

    public let name: String
    public let symbol: String
    private var execution: ExecutionStream
    private let barSource: String
    private let signalSource: String
    private let onFinish: Finish
    private let logger: Logger
    private var bars = SequenceBuffer<(bar: Bar, tsEvent: Int64, tsInit: Int64)>()
    private var plans = SequenceBuffer<SignalPlan>()
    /// The topics it reads and writes, made once (a topic is compared with every message).
    private let barTopic: String
    private let signalTopic: String
    private let pnlTopic: String
    private var nextBar: UInt64 = 1
    private var appliedPlans: UInt64 = 0
    private var endSeq: UInt64?
    private var executedUnacknowledged: (seq: UInt64, tsEvent: Int64, tsInit: Int64)?
    private var lastStamp: (tsEvent: Int64, tsInit: Int64) = (0, 0)
    private var inputFilter = InputFilter()
    private var barLog: BarLog?
    private let recorder: (any ExecutionRecorder)?
    /// What this batch publishes: sent at the batch's end, after the recorder's commit.
    private var outbox: [(topic: String, message: MeshMessage, tsEvent: Int64, tsInit: Int64)] = []
    private var day: Int64 = .min
    private var dayStartEquity = 0.0
    private var lastSignal = Direction.flat
    /// How many of the risk rules' events are in the journal.
    private var riskEventsRecorded = 0

    public init(name: String, symbol: String, execution: ExecutionStream, barSource: String, signalSource: String,
                logger: Logger, recorder: (any ExecutionRecorder)? = nil, barLog: BarLog? = nil,
                onFinish: @escaping Finish) {
        self.barLog = barLog
        self.recorder = recorder
        self.name = name
        self.symbol = symbol
        self.execution = execution
        self.barSource = barSource
        self.signalSource = signalSource
        self.logger = logger
        self.onFinish = onFinish
        barTopic = Topic.bar(symbol)
        signalTopic = Topic.signal(symbol)
        pnlTopic = Topic.pnl(symbol)
    }

    public var subscriptions: [String] { [barTopic, signalTopic, Topic.end, Topic.kill, Topic.resume] }

    /// Continues a session rebuilt from its journal: `execution` has executed `bars` bars and applied `decisions`
    /// decisions; the node takes only what comes after.
    public mutating func resume(afterBars bars: UInt64, decisions: UInt64) {
        nextBar = bars + 1
        appliedPlans = decisions
        riskEventsRecorded = execution.risk?.events.count ?? 0
    }

    /// After a restart: ask the publishers for what this service has not executed yet (`ctl.resend`).
    public func requestMissing(publish: MeshNodeService.Publish) {
        guard nextBar > 1 else { return }
        publish(Topic.resend, .resend(service: name, topic: barTopic, fromSeq: nextBar), tsEvent: 0, tsInit: 0)
        publish(Topic.resend, .resend(service: name, topic: signalTopic, fromSeq: appliedPlans + 1),
                tsEvent: 0, tsInit: 0)
        logger.warning("resumed from the journal; asked for what was missed", metadata: [
            "next_bar": "\(nextBar)", "next_decision": "\(appliedPlans + 1)",
        ])
    }

    /// Whether the kill switch holds.
    public var isHalted: Bool { execution.isHalted }

    /// The kill switch (from `ctl.kill` or SIGUSR1): cancels the order waiting for the next open, refuses every
    /// decision until `resume`, and with `flatten` closes the position at the next open.
    public mutating func kill(reason: String, flatten: Bool) throws {
        try recorder?.record(event: "kill", flatten: flatten, detail: reason, barsDone: nextBar - 1,
                             decisionsDone: appliedPlans)
        execution.kill(flatten: flatten)
        logger.warning("kill switch: trading halted", metadata: ["reason": "\(reason)", "flatten": "\(flatten)"])
    }

    public mutating func resume(reason: String) throws {
        guard execution.isHalted else { return }
        try recorder?.record(event: "resume", flatten: false, detail: reason, barsDone: nextBar - 1,
                             decisionsDone: appliedPlans)
        execution.resume()
        logger.warning("kill switch lifted: trading resumes", metadata: ["reason": "\(reason)"])
    }

    public mutating func handle(_ envelope: Envelope, publish: MeshNodeService.Publish) throws -> MeshNodeService.Next {
        switch envelope.message {
        case .bar(let s, let bar) where s == symbol && envelope.topic == barTopic:
            guard inputFilter.accept(envelope, from: barSource, logger: logger), envelope.seq >= nextBar else {
                return .proceed   // a stranger's, or one already executed (and journaled)
            }
            bars.insert((bar, envelope.tsEvent, envelope.tsInit), at: envelope.seq)
        case .signal(let s, _, let plan) where s == symbol && envelope.topic == signalTopic:
            guard inputFilter.accept(envelope, from: signalSource, logger: logger), envelope.seq > appliedPlans else {
                return .proceed
            }
            plans.insert(plan, at: envelope.seq)
        case .end(let service, let topic, let lastSeq) where service == signalSource && topic == signalTopic:
            endSeq = lastSeq
        case .kill(let reason, let flatten) where envelope.topic == Topic.kill:
            try kill(reason: "\(reason) (from \(envelope.source))", flatten: flatten)
            return .proceed
        case .resume(let reason) where envelope.topic == Topic.resume:
            try resume(reason: "\(reason) (from \(envelope.source))")
            return .proceed
        default:
            return .proceed
        }
        var progressed = true
        while progressed {
            progressed = false
            if appliedPlans + 1 == nextBar, let entry = bars.remove(at: nextBar) {
                try execute(entry, sequence: nextBar, publish: publish)
                nextBar += 1
                progressed = true
            }
            if appliedPlans + 1 < nextBar, let plan = plans.remove(at: appliedPlans + 1) {
                try recorder?.record(decision: plan, seq: appliedPlans + 1)
                lastSignal = plan.signal(for: execution.machine.direction).direction
                let riskEventsBefore = execution.risk?.events.count ?? 0
                let position = execution.machine.units
                if let refused = execution.apply(plan) {
                    logger.warning("order denied", metadata: [
                        "rule": "kill_switch", "bar": "\(appliedPlans + 1)", "wanted": "\(refused.direction.rawValue)",
                    ])
                    let buying = refused.direction == .long || (refused.direction == .flat && position < 0)
                    // Sized as the order would have been, at the decision bar's close.
                    let quantity: Double
                    switch refused.size {
                    case _ where refused.direction == .flat: quantity = abs(position)
                    case .units(let u): quantity = u
                    case .fraction(let f):
                        quantity = (f * (execution.equity.equity.last ?? 0) / execution.lastClose).rounded(.down)
                    }
                    let denial = OrderDenied(
                        order: Order(clientOrderID: ClientOrderID.make(strategy: execution.machine.settings.name,
                                                                       symbol: symbol, barSequence: appliedPlans + 1,
                                                                       index: 0) + "-denied",
                                     symbol: symbol, side: buying ? .buy : .sell, quantity: quantity, type: .market),
                        rule: "kill_switch", limit: nil, observed: nil,
                        reason: "the kill switch is on; resume explicitly")
                    try recorder?.record(risk: RiskGate.Event(time: execution.equity.time.last ?? 0, kind: "denied",
                                                              rule: denial.rule, detail: denial.reason, denied: denial),
                                         seq: nextBar - 1)
                    deny(denial)
                }
                for event in execution.risk?.events.dropFirst(riskEventsBefore) ?? [] {
                    if let d = event.denied { deny(d) }
                }
                try recordRiskEvents(seq: nextBar - 1)
                appliedPlans += 1
                progressed = true
            }
        }
        guard let end = endSeq, nextBar > end, appliedPlans >= end else { return .proceed }
        let (result, fills) = execution.finish(sequence: end)
        try recordOrders(seq: end, time: result.equity.time.last ?? 0)
        for fill in fills { try recorder?.record(fill: fill, seq: end, time: result.equity.time.last ?? 0) }
        enqueueBrokerActivity(stamp: lastStamp)
        try flush(publish: publish)
        try onFinish(result)
        publish(Topic.end, .end(service: name, topic: pnlTopic, lastSeq: end),
                    tsEvent: lastStamp.tsEvent, tsInit: lastStamp.tsInit)
        logger.info("execution finished", metadata: [
            "symbol": "\(symbol)", "bars": "\(end)", "trades": "\(result.trades.count)",
        ])
        return .finish
    }

    private mutating func execute(_ entry: (bar: Bar, tsEvent: Int64, tsInit: Int64), sequence: UInt64,
                                  publish: MeshNodeService.Publish) throws {
        let fills = execution.execute(entry.bar, sequence: sequence)
        lastStamp = (entry.tsEvent, entry.tsInit)
        if let recorder {
            try recorder.record(bar: entry.bar, seq: sequence)
            try recordOrders(seq: sequence, time: entry.bar.time)
            for fill in fills { try recorder.record(fill: fill, seq: sequence, time: entry.bar.time) }
            try recorder.record(snapshot: execution.snapshot, seq: sequence, time: entry.bar.time)
            try recordRiskEvents(seq: sequence)
        }
        enqueueBrokerActivity(stamp: lastStamp)
        // The account per bar is for watchers (`MeshCtl tap pnl.`); with none, it is not even encoded.
        if publish.isWanted(pnlTopic) {
            outbox.append((pnlTopic, .position(execution.snapshot), entry.tsEvent, entry.tsInit))
        }
        executedUnacknowledged = (sequence, entry.tsEvent, entry.tsInit)
        if let barLog {
            let snapshot = execution.snapshot
            let today = Timestamps.dayIndex(entry.bar.time)
            if today != day {
                // The day starts from the previous bar's equity (the first day: the initial capital).
                dayStartEquity = execution.equity.equity.dropLast().last ?? execution.machine.execution.initialCapital
                day = today
            }
            barLog(BarReport(time: entry.bar.time, signal: lastSignal, position: snapshot.position,
                             equity: snapshot.equity, dayPnL: snapshot.equity - dayStartEquity,
                             halted: execution.isHalted))
        }
    }

    /// Ends a batch: commits what the recorder holds, then publishes the batch's orders, fills and accounts and
    /// acknowledges the last bar executed — once per batch rather than once per bar, which is all the replay's
    /// credit window needs, and never before the journal has it.
    public mutating func flush(publish: MeshNodeService.Publish) throws {
        try recorder?.commit()
        for m in outbox { publish(m.topic, m.message, tsEvent: m.tsEvent, tsInit: m.tsInit) }
        outbox.removeAll(keepingCapacity: true)
        guard let last = executedUnacknowledged else { return }
        executedUnacknowledged = nil
        publish(Topic.ack, .ack(service: name, lastSeq: last.seq), tsEvent: last.tsEvent, tsInit: last.tsInit)
    }

    /// Journals the orders of the last step and what the broker did with each.
    private func recordOrders(seq: UInt64, time: Int64) throws {
        // The venue's lists are read in place: this runs for every bar, and most bars have no order.
        guard let recorder, !execution.venue.orders.isEmpty else { return }
        let (acknowledgedIDs, rejections, fills) = (execution.venue.acknowledged, execution.venue.rejections,
                                                    execution.venue.fills)
        for order in execution.venue.orders {
            let acknowledged = acknowledgedIDs.contains(order.clientOrderID)
            if let rejection = rejections.first(where: { $0.order.clientOrderID == order.clientOrderID }) {
                try recorder.record(order: order, seq: seq, time: time, acknowledged: acknowledged, status: .rejected,
                                    detail: rejection.reason)
            } else {
                let filled = fills.contains { $0.clientOrderID == order.clientOrderID }
                try recorder.record(order: order, seq: seq, time: time, acknowledged: acknowledged,
                                    status: filled ? .filled : .cancelled, detail: "")
            }
        }
    }

    /// Journals the risk rules' events (denials, trading state changes) not journaled yet.
    private mutating func recordRiskEvents(seq: UInt64) throws {
        guard let recorder, let events = execution.risk?.events, events.count > riskEventsRecorded else { return }
        for event in events[riskEventsRecorded...] { try recorder.record(risk: event, seq: seq) }
        riskEventsRecorded = events.count
    }

    /// A denial goes out on `order.denied.<SYMBOL>` with the batch.
    private mutating func deny(_ denial: OrderDenied) {
        outbox.append((Topic.denied(symbol), .denied(denial), lastStamp.tsEvent, lastStamp.tsInit))
    }

    /// The step's orders as sent to the broker (`order.<SYMBOL>`), then its fills (`fill.<SYMBOL>`); a rejection
    /// by the broker is logged.
    /// Runs for every bar: it reads the venue's lists in place (a copy of the whole venue would retain and
    /// release everything it holds).
    private mutating func enqueueBrokerActivity(stamp: (tsEvent: Int64, tsInit: Int64)) {
        for order in execution.venue.orders {
            outbox.append((Topic.order(symbol), .order(order), stamp.tsEvent, stamp.tsInit))
        }
        for fill in execution.venue.fills {
            outbox.append((Topic.fill(symbol), .fill(fill), stamp.tsEvent, stamp.tsInit))
        }
        for rejection in execution.venue.rejections {
            logger.error("the broker rejected an order", metadata: [
                "order": "\(rejection.order.clientOrderID)", "reason": "\(rejection.reason)",
            ])
        }
    }
}
