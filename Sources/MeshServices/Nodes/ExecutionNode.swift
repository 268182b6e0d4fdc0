import MeshKit
import Logging
import TradingCore

/// The execution service's work: joins `bar.<SYMBOL>` and `signal.<SYMBOL>` by sequence number and drives the
/// execution model: bar N is executed only once the decision on bar N − 1's close has been applied. Per bar it
/// publishes the orders and fills (`order.<SYMBOL>`, `fill.<SYMBOL>`) and the account (`pnl.<SYMBOL>`, when
/// someone subscribes), and after each batch `ctl.ack` with the last bar's sequence number — the replay's credit.
/// After the signal stream's `ctl.end` it finishes the run, hands the result to `onFinish` (which writes the result
/// files) and publishes its own `ctl.end` on `pnl.<SYMBOL>`.
///
/// It does no I/O itself: what must happen is collected as values — journal entries and `NodeAction`s (publish,
/// acknowledge, commit the journal, write the results, log the kill switch) — and handed to its service at the
/// end of each batch (`flush`), which runs the blocking ones off the I/O thread, in order: the journal's commit
/// before anything it covers is published or acknowledged.
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
    /// What this batch does, in order: handed to the service at the batch's end (`flush`).
    private var actions: [NodeAction] = []
    /// What the journal is to record, since the last commit action.
    private var entries: [JournalEntry] = []
    /// Where in `actions` the publications the next commit covers start.
    private var uncommittedFrom = 0
    private var day: Int64 = .min
    private var dayStartEquity = 0.0
    private var lastSignal = Direction.flat
    /// How many of the risk rules' events are in the journal.
    private var riskEventsRecorded = 0
    /// Who may lift the kill switch: with a secret, a resume needs its proof (`OperatorSecret`).
    private let operatorSecret: OperatorSecret?
    /// The `ts_init` of the last resume accepted: an older or equal one is a replayed capture.
    private var lastResumeTime = Int64.min
    /// The highest signal sequence number received: a `ctl.end` behind it is not the signal stream's end.
    private var highestSignal: UInt64 = 0
    /// Requests refused (a resume without proof, an inconsistent end), for the log's rate limit and for tests.
    public private(set) var refusals = 0
    /// Whether this node continues a session from its journal (`resume(afterBars:decisions:)`).
    private var resumed = false
    /// After a resume with bars journaled: whether anything of the feed (a bar, a signal, a heartbeat of their
    /// publishers) has been heard since. See `feedSilence`.
    public private(set) var heardFromFeed = false
    private var watchesFeed = false
    /// Set once the run is finished: its results are being written off the I/O thread, and messages that still
    /// arrive meanwhile change nothing.
    private var finished = false

    public init(name: String, symbol: String, execution: ExecutionStream, barSource: String, signalSource: String,
                logger: Logger, recorder: (any ExecutionRecorder)? = nil, barLog: BarLog? = nil,
                operatorSecret: OperatorSecret? = nil, onFinish: @escaping Finish) {
        self.operatorSecret = operatorSecret
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

    public var subscriptions: [String] {
        [barTopic, signalTopic, Topic.end, Topic.kill, Topic.resume] + (watchesFeed ? [Topic.heartbeat] : [])
    }

    /// Continues a session rebuilt from its journal: `execution` has executed `bars` bars and applied `decisions`
    /// decisions; the node takes only what comes after.
    public mutating func resume(afterBars bars: UInt64, decisions: UInt64) {
        nextBar = bars + 1
        appliedPlans = decisions
        highestSignal = decisions
        riskEventsRecorded = execution.riskEvents.count
        resumed = true
        // A journal with bars belongs to a feed that has started: its publishers must still be there.
        watchesFeed = bars > 0
    }

    /// After a resume with bars journaled, checked some seconds after the node is on the bus: an error when nothing
    /// of the feed was heard — the session's publishers have ended (or are not running), and nothing will come.
    public func feedSilence(after seconds: Double) -> MeshError? {
        guard watchesFeed, !heardFromFeed else { return nil }
        return MeshError.protocolFailure(
            "--resume: nothing of the session's feed was heard in \(seconds) s (no bar, signal or heartbeat of "
                + "\(barSource) or \(signalSource)): the feed has ended or its services are not running. --resume "
                + "continues a session whose feed still runs; rebuild a finished session's files with ExecSvc export")
    }

    /// After a restart: ask the publishers for what this service has not executed yet (`ctl.resend`) — from the
    /// first bar when the journal has none.
    public func requestMissing(publish: MeshNodeService.Publish) {
        guard resumed else { return }
        publish(Topic.resend, .resend(service: name, topic: barTopic, fromSeq: nextBar), tsEvent: 0, tsInit: 0)
        publish(Topic.resend, .resend(service: name, topic: signalTopic, fromSeq: appliedPlans + 1),
                tsEvent: 0, tsInit: 0)
        logger.warning("resumed from the journal; asked for what was missed", metadata: [
            "next_bar": "\(nextBar)", "next_decision": "\(appliedPlans + 1)", "halted": "\(execution.isHalted)",
        ])
    }

    /// Whether the kill switch holds.
    public var isHalted: Bool { execution.isHalted }

    /// The kill switch (from `ctl.kill` or SIGUSR1): cancels the order waiting for the next open (journaled as
    /// cancelled, and published as a denial), refuses every decision until `resume`, and with `flatten` closes
    /// the position at the next open. It holds in memory at once (it fails safe); the journal's commit of it comes
    /// first among the actions the next `flush` hands over, before it is logged as done or acknowledged.
    public mutating func kill(reason: String, flatten: Bool) {
        let cancelled = execution.kill(reason: reason, flatten: flatten)
        journal(.event(kind: "kill", flatten: flatten, detail: reason, barsDone: nextBar - 1,
                       decisionsDone: appliedPlans))
        if let cancelled { cancel(cancelled, reason: reason) }
        recordRiskEvents(seq: nextBar - 1)
        commitJournal()
        let logger = self.logger
        actions.append(.blocking {
            logger.warning("kill switch: trading halted", metadata: ["reason": "\(reason)", "flatten": "\(flatten)"])
        })
    }

    /// Lifts the kill switch; journaled and committed, like a kill, before it is logged or acknowledged.
    public mutating func resume(reason: String) {
        guard execution.isHalted else { return }
        journal(.event(kind: "resume", flatten: false, detail: reason, barsDone: nextBar - 1,
                       decisionsDone: appliedPlans))
        execution.resume()
        recordRiskEvents(seq: nextBar - 1)
        commitJournal()
        let logger = self.logger
        actions.append(.blocking {
            logger.warning("kill switch lifted: trading resumes", metadata: ["reason": "\(reason)"])
        })
    }

    /// Adds `entry` to what the journal records (with the next commit).
    private mutating func journal(_ entry: JournalEntry) {
        if recorder != nil { entries.append(entry) }
    }

    /// Adds the journal's commit of what it was given so far as a blocking action, before every publication it
    /// covers.
    private mutating func commitJournal() {
        guard let recorder, !entries.isEmpty else { return }
        let batch = entries
        entries.removeAll(keepingCapacity: true)
        actions.insert(.blocking {
            for entry in batch { try recorder.record(entry) }
            try recorder.commit()
        }, at: uncommittedFrom)
        uncommittedFrom = actions.count
    }

    /// The order waiting for the next open, cancelled by the kill switch: journaled as a cancelled order and a
    /// risk event, published on `order.denied.<SYMBOL>`.
    private mutating func cancel(_ wanted: Signal, reason: String) {
        let (side, quantity) = execution.order(for: wanted)
        let order = Order(clientOrderID: ClientOrderID.make(strategy: execution.machine.settings.name, symbol: symbol,
                                                            barSequence: nextBar, index: 0) + "-cancelled",
                          symbol: symbol, side: side, quantity: quantity, type: .market)
        let denial = OrderDenied(order: order, rule: "kill_switch", limit: nil, observed: nil,
                                 reason: "cancelled by the kill switch before the open it waited for")
        let time = execution.equity.time.last ?? 0
        journal(.order(order, seq: nextBar - 1, time: time, acknowledged: false, status: .cancelled,
                       detail: denial.reason))
        journal(.risk(RiskGate.Event(time: time, kind: "cancelled", rule: denial.rule, detail: reason, denied: denial),
                      seq: nextBar - 1))
        logger.warning("order cancelled", metadata: ["rule": "kill_switch", "order": "\(order.clientOrderID)"])
        deny(denial)
    }

    /// Why `envelope` (a resume) may not lift the kill switch; nil when it may.
    private func refusal(ofResume envelope: Envelope) -> String? {
        guard let secret = operatorSecret else { return nil }
        guard secret.verifies(envelope) else {
            return "a resume needs the operator's proof (MeshCtl resume reads the operator secret)"
        }
        guard envelope.tsInit > lastResumeTime else { return "a repeat of a resume already carried out" }
        return nil
    }

    /// Counts a refused request and logs it — the first, then at every power of two, so that a flood of them
    /// cannot flood the log.
    private mutating func refuse(_ envelope: Envelope, _ why: String) {
        refusals += 1
        guard refusals & (refusals - 1) == 0 else { return }
        logger.warning("request refused", metadata: [
            "topic": "\(envelope.topic)", "from": "\(envelope.source)", "why": "\(why)", "refused_so_far": "\(refusals)",
        ])
    }

    /// The answer to a kill or resume request, published with the batch: after the journal's commit.
    private mutating func acknowledge(_ request: Envelope, accepted: Bool, detail: String = "") {
        actions.append(.publish(topic: Topic.killAck,
                                message: .killAck(KillAck(service: name, answering: request, accepted: accepted,
                                                          halted: execution.isHalted, detail: detail)),
                                tsEvent: lastStamp.tsEvent, tsInit: lastStamp.tsInit))
    }

    public mutating func handle(_ envelope: Envelope, publish: MeshNodeService.Publish) throws -> MeshNodeService.Next {
        guard !finished else { return .proceed }
        switch envelope.message {
        case .bar(let s, let bar) where s == symbol && envelope.topic == barTopic:
            guard inputFilter.accept(envelope, from: barSource, logger: logger) else { return .proceed }
            heardFromFeed = true
            // One already executed (and journaled) is a repeat.
            guard envelope.seq >= nextBar else { return .proceed }
            bars.insert((bar, envelope.tsEvent, envelope.tsInit), at: envelope.seq)
        case .signal(let s, _, let plan) where s == symbol && envelope.topic == signalTopic:
            guard inputFilter.accept(envelope, from: signalSource, logger: logger) else { return .proceed }
            heardFromFeed = true
            guard envelope.seq > appliedPlans else { return .proceed }
            highestSignal = max(highestSignal, envelope.seq)
            plans.insert(plan, at: envelope.seq)
        case .end(let service, let topic, let lastSeq) where service == signalSource && topic == signalTopic:
            // The end of the signal stream comes from its publisher and covers every signal received.
            guard envelope.source == signalSource, lastSeq >= highestSignal, lastSeq >= nextBar - 1 else {
                refuse(envelope, "an end of \(topic) at \(lastSeq), behind what was received (signal "
                       + "\(highestSignal), bar \(nextBar - 1))")
                return .proceed
            }
            endSeq = lastSeq
        case .kill(let reason, let flatten) where envelope.topic == Topic.kill:
            // Anyone on the bus may engage the kill switch: it fails safe.
            kill(reason: "\(reason) (from \(envelope.source))", flatten: flatten)
            acknowledge(envelope, accepted: true)
            return .proceed
        case .resume(let reason, _) where envelope.topic == Topic.resume:
            if let why = refusal(ofResume: envelope) {
                refuse(envelope, why)
                acknowledge(envelope, accepted: false, detail: why)
                return .proceed
            }
            lastResumeTime = envelope.tsInit
            resume(reason: "\(reason) (from \(envelope.source))")
            acknowledge(envelope, accepted: true)
            return .proceed
        case .heartbeat(let h) where h.service == barSource || h.service == signalSource:
            heardFromFeed = true
            return .proceed
        default:
            return .proceed
        }
        var progressed = true
        while progressed {
            progressed = false
            if appliedPlans + 1 == nextBar, let entry = bars.remove(at: nextBar) {
                execute(entry, sequence: nextBar, publish: publish)
                nextBar += 1
                progressed = true
            }
            if appliedPlans + 1 < nextBar, let plan = plans.remove(at: appliedPlans + 1) {
                journal(.decision(plan, seq: appliedPlans + 1))
                lastSignal = plan.signal(for: execution.machine.direction).direction
                let riskEventsBefore = execution.riskEvents.count
                if let refused = execution.apply(plan) {
                    logger.warning("order denied", metadata: [
                        "rule": "kill_switch", "bar": "\(appliedPlans + 1)", "wanted": "\(refused.direction.rawValue)",
                    ])
                    // Sized as the order would have been, at the decision bar's close.
                    let (side, quantity) = execution.order(for: refused)
                    let denial = OrderDenied(
                        order: Order(clientOrderID: ClientOrderID.make(strategy: execution.machine.settings.name,
                                                                       symbol: symbol, barSequence: appliedPlans + 1,
                                                                       index: 0) + "-denied",
                                     symbol: symbol, side: side, quantity: quantity, type: .market),
                        rule: "kill_switch", limit: nil, observed: nil,
                        reason: "the kill switch is on; resume explicitly")
                    journal(.risk(RiskGate.Event(time: execution.equity.time.last ?? 0, kind: "denied",
                                                 rule: denial.rule, detail: denial.reason, denied: denial),
                                  seq: nextBar - 1))
                    deny(denial)
                }
                for event in execution.riskEvents.dropFirst(riskEventsBefore) {
                    if let d = event.denied { deny(d) }
                }
                recordRiskEvents(seq: nextBar - 1)
                appliedPlans += 1
                progressed = true
            }
        }
        guard let end = endSeq, nextBar > end, appliedPlans >= end else { return .proceed }
        finished = true
        let (result, fills) = execution.finish(sequence: end)
        recordOrders(seq: end, time: result.equity.time.last ?? 0)
        for fill in fills { journal(.fill(fill, seq: end, time: result.equity.time.last ?? 0)) }
        enqueueBrokerActivity(stamp: lastStamp)
        // After the last batch: the result files, then the end of this service's stream (what a replay waits for).
        commitJournal()
        acknowledgeExecuted()
        let (onFinish, logger, symbol) = (self.onFinish, self.logger, self.symbol)
        actions.append(.blocking {
            try onFinish(result)
            logger.info("execution finished", metadata: [
                "symbol": "\(symbol)", "bars": "\(end)", "trades": "\(result.trades.count)",
            ])
        })
        actions.append(.publish(topic: Topic.end, message: .end(service: name, topic: pnlTopic, lastSeq: end),
                                tsEvent: lastStamp.tsEvent, tsInit: lastStamp.tsInit))
        try flush(publish: publish)
        return .finish
    }

    private mutating func execute(_ entry: (bar: Bar, tsEvent: Int64, tsInit: Int64), sequence: UInt64,
                                  publish: MeshNodeService.Publish) {
        let fills = execution.execute(entry.bar, sequence: sequence)
        lastStamp = (entry.tsEvent, entry.tsInit)
        if recorder != nil {
            journal(.bar(entry.bar, seq: sequence))
            recordOrders(seq: sequence, time: entry.bar.time)
            for fill in fills { journal(.fill(fill, seq: sequence, time: entry.bar.time)) }
            journal(.snapshot(execution.snapshot, seq: sequence, time: entry.bar.time))
            recordRiskEvents(seq: sequence)
        }
        enqueueBrokerActivity(stamp: lastStamp)
        // The account per bar is for watchers (`MeshCtl tap pnl.`); with none, it is not even encoded.
        if publish.isWanted(pnlTopic) {
            actions.append(.publish(topic: pnlTopic, message: .position(execution.snapshot), tsEvent: entry.tsEvent,
                                    tsInit: entry.tsInit))
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
            let report = BarReport(time: entry.bar.time, signal: lastSignal, position: snapshot.position,
                                   equity: snapshot.equity, dayPnL: snapshot.equity - dayStartEquity,
                                   halted: execution.isHalted)
            // The live log writes to a file: blocking work, like the journal.
            actions.append(.blocking { barLog(report) })
        }
    }

    /// Ends a batch: the journal's commit of what it recorded, then the batch's orders, fills and accounts and the
    /// acknowledgement of the last bar executed — once per batch rather than once per bar, which is all the
    /// replay's credit window needs, and never before the journal has it — handed to the service to run.
    public mutating func flush(publish: MeshNodeService.Publish) throws {
        commitJournal()
        acknowledgeExecuted()
        uncommittedFrom = 0
        try publish.run(&actions)
    }

    /// Acknowledges the last bar executed, if not yet.
    private mutating func acknowledgeExecuted() {
        guard let last = executedUnacknowledged else { return }
        executedUnacknowledged = nil
        actions.append(.publish(topic: Topic.ack, message: .ack(service: name, lastSeq: last.seq),
                                tsEvent: last.tsEvent, tsInit: last.tsInit))
    }

    /// Journals the orders of the last step and what the broker did with each.
    private mutating func recordOrders(seq: UInt64, time: Int64) {
        // The venue's lists are read in place: this runs for every bar, and most bars have no order.
        guard recorder != nil, !execution.venue.orders.isEmpty else { return }
        let (acknowledgedIDs, rejections, fills) = (execution.venue.acknowledged, execution.venue.rejections,
                                                    execution.venue.fills)
        for order in execution.venue.orders {
            let acknowledged = acknowledgedIDs.contains(order.clientOrderID)
            if let rejection = rejections.first(where: { $0.order.clientOrderID == order.clientOrderID }) {
                journal(.order(order, seq: seq, time: time, acknowledged: acknowledged, status: .rejected,
                               detail: rejection.reason))
            } else {
                let filled = fills.contains { $0.clientOrderID == order.clientOrderID }
                journal(.order(order, seq: seq, time: time, acknowledged: acknowledged,
                               status: filled ? .filled : .cancelled, detail: ""))
            }
        }
    }

    /// Journals the risk rules' events (denials, trading state changes) not journaled yet.
    private mutating func recordRiskEvents(seq: UInt64) {
        let events = execution.riskEvents
        guard recorder != nil, events.count > riskEventsRecorded else { return }
        for event in events[riskEventsRecorded...] { journal(.risk(event, seq: seq)) }
        riskEventsRecorded = events.count
    }

    /// A denial goes out on `order.denied.<SYMBOL>` with the batch.
    private mutating func deny(_ denial: OrderDenied) {
        actions.append(.publish(topic: Topic.denied(symbol), message: .denied(denial), tsEvent: lastStamp.tsEvent,
                                tsInit: lastStamp.tsInit))
    }

    /// The step's orders as sent to the broker (`order.<SYMBOL>`), then its fills (`fill.<SYMBOL>`); a rejection
    /// by the broker is logged.
    /// Runs for every bar: it reads the venue's lists in place (a copy of the whole venue would retain and
    /// release everything it holds).
    private mutating func enqueueBrokerActivity(stamp: (tsEvent: Int64, tsInit: Int64)) {
        for order in execution.venue.orders {
            actions.append(.publish(topic: Topic.order(symbol), message: .order(order), tsEvent: stamp.tsEvent,
                                    tsInit: stamp.tsInit))
        }
        for fill in execution.venue.fills {
            actions.append(.publish(topic: Topic.fill(symbol), message: .fill(fill), tsEvent: stamp.tsEvent,
                                    tsInit: stamp.tsInit))
        }
        for rejection in execution.venue.rejections {
            logger.error("the broker rejected an order", metadata: [
                "order": "\(rejection.order.clientOrderID)", "reason": "\(rejection.reason)",
            ])
        }
    }
}
