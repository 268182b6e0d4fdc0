import Logging
import Testing
import TradingCore
@testable import MeshKit
@testable import MeshServices

/// The execution service's state machine without sockets: messages in, messages out.
@Suite struct ExecutionNodeTests {
    final class Sent: @unchecked Sendable {
        var messages: [(topic: String, message: MeshMessage)] = []
    }

    static func envelope(_ topic: String, _ source: String, _ seq: UInt64, _ message: MeshMessage) -> Envelope {
        Envelope(topic: topic, source: source, seq: seq, tsEvent: 0, tsInit: 0, message: message)
    }

    static func bar(_ i: Int) -> MeshMessage {
        .bar(symbol: "X", bar: Bar(time: Int64(i) * 3_600 * Timestamps.nanosPerSecond, open: 100, high: 101, low: 99,
                                   close: 100, volume: 1))
    }

    static let long = MeshMessage.signal(symbol: "X", barTime: 0, plan: SignalPlan(
        whenFlat: Signal(direction: .long, size: .units(5)), whenLong: Signal(direction: .long, size: .units(5)),
        whenShort: Signal(direction: .long, size: .units(5)), predictedReturn: 0.01))

    func makeNode(finished: Locked<BacktestResult?>) -> ExecutionNode {
        ExecutionNode(name: "ExecSvc", symbol: "X",
                      execution: ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings()),
                      barSource: "DataSvc", signalSource: "StrategySvc", logger: Logger(label: "test")) { result in
            finished.value = result
        }
    }

    @Test func joinsBySequenceWhateverTheArrivalOrder() throws {
        let sent = Sent()
        let publish = MeshNodeService.Publish { topic, message, _, _ in sent.messages.append((topic, message)) }
        let finished = Locked<BacktestResult?>(nil)
        var node = makeNode(finished: finished)
        // Signal 1 and bar 2 before bar 1; a bar from a stranger is ignored.
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 1, Self.long), publish: publish)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 2, Self.bar(2)), publish: publish)
        _ = try node.handle(Self.envelope("bar.X", "intruder", 1, Self.bar(9)), publish: publish)
        #expect(sent.messages.isEmpty, "nothing can be executed before bar 1")
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 1, Self.bar(1)), publish: publish)
        try node.flush(publish: publish)
        let fills = sent.messages.compactMap { if case .fill(let f) = $0.message { f } else { nil } }
        #expect(fills.count == 1, "bar 2 opened the long decided on bar 1")
        #expect(sent.messages.last.map { if case .ack(_, 2) = $0.message { true } else { false } } == true,
                "one acknowledgement for the batch, of the last bar")
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 2, Self.long), publish: publish)
        let next = try node.handle(Self.envelope("ctl.end", "StrategySvc", 1,
                                                 .end(service: "StrategySvc", topic: "signal.X", lastSeq: 2)),
                                   publish: publish)
        #expect(next == .finish)
        #expect(finished.value?.equity.time.count == 2)
        // The results are written off the I/O thread: what still arrives meanwhile finishes nothing twice.
        finished.value = nil
        let ends = sent.messages.filter { $0.topic == "ctl.end" }.count
        _ = try node.handle(Self.envelope("ctl.end", "StrategySvc", 2,
                                          .end(service: "StrategySvc", topic: "signal.X", lastSeq: 2)),
                            publish: publish)
        try node.flush(publish: publish)
        #expect(finished.value == nil && sent.messages.filter { $0.topic == "ctl.end" }.count == ends)
    }

    @Test func theKillSwitchFromTheBusHoldsUntilResume() throws {
        let sent = Sent()
        let publish = MeshNodeService.Publish { topic, message, _, _ in sent.messages.append((topic, message)) }
        var node = makeNode(finished: Locked(nil))
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 1, Self.bar(1)), publish: publish)
        _ = try node.handle(Self.envelope("ctl.kill", "MeshCtl", 1, .kill(reason: "test", flatten: false)),
                            publish: publish)
        #expect(node.isHalted)
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 1, Self.long), publish: publish)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 2, Self.bar(2)), publish: publish)
        try node.flush(publish: publish)
        #expect(!sent.messages.contains { $0.topic == "fill.X" }, "no order while halted")
        let denial = sent.messages.first { $0.topic == "order.denied.X" }
        if case .denied(let d)? = denial?.message {
            #expect(d.rule == "kill_switch" && d.order.side == .buy && d.order.quantity == 5)
        } else {
            Issue.record("the refused decision is published on order.denied.X")
        }
        _ = try node.handle(Self.envelope("ctl.resume", "MeshCtl", 1, .resume(reason: "ok", proof: "")), publish: publish)
        #expect(!node.isHalted)
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 2, Self.long), publish: publish)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 3, Self.bar(3)), publish: publish)
        #expect(!sent.messages.contains { $0.topic == "fill.X" }, "fills wait for the end of the batch")
        try node.flush(publish: publish)
        #expect(sent.messages.contains { $0.topic == "fill.X" }, "trading again after resume")
    }

    /// What the node hands its journal, kept in memory.
    final class Journaled: ExecutionRecorder, @unchecked Sendable {
        var orders: [(id: String, acknowledged: Bool, status: OrderStatus)] = []
        var risk: [RiskGate.Event] = []
        var fills: [Fill] = []
        /// The kill switch's events, orders, risk events and commits, in order.
        var log: [String] = []
        func record(bar: Bar, seq: UInt64) {}
        func record(decision: SignalPlan, seq: UInt64) {}
        func record(fill: Fill, seq: UInt64, time: Int64) { fills.append(fill) }
        func record(snapshot: PositionSnapshot, seq: UInt64, time: Int64) {}
        func record(event kind: String, flatten: Bool, detail: String, barsDone: UInt64, decisionsDone: UInt64) {
            log.append("event \(kind)")
        }
        func record(order: Order, seq: UInt64, time: Int64, acknowledged: Bool, status: OrderStatus, detail: String) {
            orders.append((order.clientOrderID, acknowledged, status))
            log.append("order \(status.rawValue)")
        }
        func record(risk event: RiskGate.Event, seq: UInt64) {
            risk.append(event)
            log.append("risk \(event.kind)")
        }
        func commit() { log.append("commit") }
    }

    @Test func ordersSentToTheBrokerAndRiskDenialsGoToTheJournal() throws {
        let journal = Journaled()
        let publish = MeshNodeService.Publish { _, _, _, _ in }
        var node = ExecutionNode(
            name: "ExecSvc", symbol: "X",
            execution: ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings(),
                                       riskLimits: RiskLimits(maxOrderUnits: 4)),
            barSource: "DataSvc", signalSource: "StrategySvc", logger: Logger(label: "test"), recorder: journal) { _ in }
        let small = MeshMessage.signal(symbol: "X", barTime: 0, plan: SignalPlan(
            whenFlat: Signal(direction: .long, size: .units(3)), whenLong: Signal(direction: .long, size: .units(3)),
            whenShort: Signal(direction: .long, size: .units(3)), predictedReturn: 0.01))
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 1, Self.bar(1)), publish: publish)
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 1, Self.long), publish: publish)   // 5 > 4: denied
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 2, Self.bar(2)), publish: publish)
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 2, small), publish: publish)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 3, Self.bar(3)), publish: publish)
        #expect(journal.risk.isEmpty && journal.orders.isEmpty, "the journal is written when the batch is handed over")
        try node.flush(publish: publish)
        #expect(journal.risk.map(\.rule) == ["max_order_units"])
        #expect(journal.risk.first?.denied?.order.quantity == 5)
        #expect(journal.orders.map(\.id) == ["threshold-X-000003-1"], "only the allowed order reached the broker")
        #expect(journal.orders.map(\.status) == [.filled] && journal.orders.allSatisfy(\.acknowledged))
        #expect(journal.fills.map(\.clientOrderID) == journal.orders.map(\.id))
    }

    func makeNode(journal: Journaled, secret: OperatorSecret? = nil) -> ExecutionNode {
        ExecutionNode(name: "ExecSvc", symbol: "X",
                      execution: ExecutionStream(symbol: "X", settings: StrategySettings(), execution: ExecutionSettings()),
                      barSource: "DataSvc", signalSource: "StrategySvc", logger: Logger(label: "test"), recorder: journal,
                      operatorSecret: secret) { _ in }
    }

    static func acks(_ sent: Sent) -> [KillAck] {
        sent.messages.compactMap { if case .killAck(let a) = $0.message, $0.topic == "ctl.kill.ack" { a } else { nil } }
    }

    @Test func aKillIsCommittedBeforeItIsAcknowledged() throws {
        let journal = Journaled()
        let sent = Sent()
        // One log of the journal's writes and of what is published, in the order the actions ran.
        let publish = MeshNodeService.Publish { topic, message, _, _ in
            sent.messages.append((topic, message))
            journal.log.append("publish \(topic)")
        }
        var node = makeNode(journal: journal)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 1, Self.bar(1)), publish: publish)
        let request = Envelope(topic: "ctl.kill", source: "MeshCtl", seq: 1, tsEvent: 5, tsInit: 42,
                               message: .kill(reason: "drill", flatten: false))
        _ = try node.handle(request, publish: publish)
        #expect(journal.log.isEmpty && sent.messages.isEmpty, "nothing happens before the batch is handed over")
        try node.flush(publish: publish)
        #expect(journal.log == ["event kill", "risk state", "commit", "publish pnl.X", "publish ctl.kill.ack",
                               "publish ctl.ack"],
                "the bar and the kill in one commit, before any publication: \(journal.log)")
        let ack = try #require(Self.acks(sent).first)
        #expect(ack.answers(request) && ack.accepted && ack.halted && ack.service == "ExecSvc")
    }

    /// The order decided on the last close and waiting for the next open: cancelled by the kill switch, journaled
    /// as cancelled, a risk event, and published as a denial.
    @Test func theOrderPendingAtTheKillIsRecordedAsCancelled() throws {
        let journal = Journaled()
        let sent = Sent()
        let publish = MeshNodeService.Publish { topic, message, _, _ in sent.messages.append((topic, message)) }
        var node = makeNode(journal: journal)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 1, Self.bar(1)), publish: publish)
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 1, Self.long), publish: publish)
        try node.flush(publish: publish)
        journal.log.removeAll()
        _ = try node.handle(Self.envelope("ctl.kill", "MeshCtl", 1, .kill(reason: "drill", flatten: false)),
                            publish: publish)
        try node.flush(publish: publish)
        #expect(journal.log == ["event kill", "order cancelled", "risk cancelled", "risk state", "commit"])
        #expect(journal.orders.last?.id == "threshold-X-000002-0-cancelled")
        #expect(journal.risk.first { $0.kind == "cancelled" }?.denied?.order.quantity == 5)
        try node.flush(publish: publish)
        let denial = sent.messages.first { $0.topic == "order.denied.X" }
        if case .denied(let d)? = denial?.message {
            #expect(d.rule == "kill_switch" && d.order.side == .buy && d.order.quantity == 5)
        } else {
            Issue.record("the cancelled order is published on order.denied.X")
        }
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 2, Self.bar(2)), publish: publish)
        try node.flush(publish: publish)
        #expect(journal.fills.isEmpty, "the cancelled order never reached the broker")
    }

    @Test func aFlattenFillHasTheReasonKill() throws {
        let journal = Journaled()
        let publish = MeshNodeService.Publish { _, _, _, _ in }
        var node = makeNode(journal: journal)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 1, Self.bar(1)), publish: publish)
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 1, Self.long), publish: publish)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 2, Self.bar(2)), publish: publish)
        try node.flush(publish: publish)
        #expect(journal.fills.map(\.reason) == [.signal], "long 5")
        _ = try node.handle(Self.envelope("ctl.kill", "MeshCtl", 1, .kill(reason: "drill", flatten: true)),
                            publish: publish)
        _ = try node.handle(Self.envelope("signal.X", "StrategySvc", 2, Self.long), publish: publish)
        _ = try node.handle(Self.envelope("bar.X", "DataSvc", 3, Self.bar(3)), publish: publish)
        try node.flush(publish: publish)
        #expect(journal.fills.map(\.reason) == [.signal, .kill])
        #expect(journal.fills.last?.side == .sell && journal.fills.last?.quantity == 5)
    }

    @Test func onlyTheOperatorsProofLiftsTheKillSwitch() throws {
        let secret = OperatorSecret(token: String(repeating: "5e", count: 32))
        let sent = Sent()
        let publish = MeshNodeService.Publish { topic, message, _, _ in sent.messages.append((topic, message)) }
        var node = makeNode(journal: Journaled(), secret: secret)
        _ = try node.handle(Self.envelope("ctl.kill", "Evil", 1, .kill(reason: "anyone may", flatten: false)),
                            publish: publish)
        #expect(node.isHalted, "anyone on the bus may engage it")
        func resume(_ source: String, tsInit: Int64, proof: String) throws {
            _ = try node.handle(Envelope(topic: "ctl.resume", source: source, seq: 1, tsEvent: 0, tsInit: tsInit,
                                         message: .resume(reason: "go", proof: proof)), publish: publish)
            try node.flush(publish: publish)
        }
        try resume("Evil", tsInit: 10, proof: "")
        try resume("Evil", tsInit: 11, proof: secret.proof(source: "MeshCtl", seq: 1, tsInit: 11, reason: "go"))
        let wrongKey = OperatorSecret(token: String(repeating: "ee", count: 32))
        try resume("MeshCtl", tsInit: 12, proof: wrongKey.proof(source: "MeshCtl", seq: 1, tsInit: 12, reason: "go"))
        #expect(node.isHalted && node.refusals == 3, "no proof, a proof for another request, another key")
        #expect(Self.acks(sent).filter { !$0.accepted }.count == 3)
        #expect(Self.acks(sent).last?.detail.contains("operator") == true)
        try resume("MeshCtl", tsInit: 13, proof: secret.proof(source: "MeshCtl", seq: 1, tsInit: 13, reason: "go"))
        #expect(!node.isHalted)
        #expect(Self.acks(sent).last.map { $0.accepted && !$0.halted } == true)
        _ = try node.handle(Envelope(topic: "ctl.kill", source: "MeshCtl", seq: 2, tsEvent: 0, tsInit: 14,
                                     message: .kill(reason: "again", flatten: false)), publish: publish)
        try resume("MeshCtl", tsInit: 13, proof: secret.proof(source: "MeshCtl", seq: 1, tsInit: 13, reason: "go"))
        #expect(node.isHalted && node.refusals == 4, "a captured resume sent again is refused")
    }

    @Test func anEndBehindTheSignalsReceivedIsRefused() throws {
        let finished = Locked<BacktestResult?>(nil)
        let publish = MeshNodeService.Publish { _, _, _, _ in }
        var node = makeNode(finished: finished)
        for i in 1...3 {
            _ = try node.handle(Self.envelope("bar.X", "DataSvc", UInt64(i), Self.bar(i)), publish: publish)
            _ = try node.handle(Self.envelope("signal.X", "StrategySvc", UInt64(i), Self.long), publish: publish)
        }
        let early = try node.handle(Self.envelope("ctl.end", "StrategySvc", 1,
                                                  .end(service: "StrategySvc", topic: "signal.X", lastSeq: 1)),
                                    publish: publish)
        #expect(early == .proceed && node.refusals == 1 && finished.value == nil)
        let spoofed = try node.handle(Self.envelope("ctl.end", "Evil", 1,
                                                    .end(service: "StrategySvc", topic: "signal.X", lastSeq: 3)),
                                      publish: publish)
        #expect(spoofed == .proceed && node.refusals == 2, "the end of a stream comes from its publisher")
        let end = try node.handle(Self.envelope("ctl.end", "StrategySvc", 2,
                                                .end(service: "StrategySvc", topic: "signal.X", lastSeq: 3)),
                                  publish: publish)
        #expect(end == .finish && finished.value?.equity.time.count == 3)
    }

    @Test func aResumeWithoutBarsAsksForTheFeedFromTheFirst() throws {
        let sent = Sent()
        let publish = MeshNodeService.Publish { topic, message, _, _ in sent.messages.append((topic, message)) }
        var node = makeNode(journal: Journaled())
        node.requestMissing(publish: publish)
        #expect(sent.messages.isEmpty, "a new session asks for nothing")
        node.resume(afterBars: 0, decisions: 0)
        node.requestMissing(publish: publish)
        let asked = sent.messages.compactMap { if case .resend(_, let t, let from) = $0.message { "\(t) \(from)" } else { nil } }
        #expect(asked == ["bar.X 1", "signal.X 1"])
        #expect(node.feedSilence(after: 1) == nil, "a feed that has not started yet is not an error")
    }

    @Test func aResumeAfterTheFeedEndedIsAnErrorSayingSo() throws {
        let publish = MeshNodeService.Publish { _, _, _, _ in }
        var node = makeNode(journal: Journaled())
        node.resume(afterBars: 3, decisions: 3)
        #expect(node.subscriptions.contains("ctl.heartbeat"))
        let silence = try #require(node.feedSilence(after: 10))
        #expect("\(silence)".contains("the feed has ended"))
        _ = try node.handle(Self.envelope("ctl.heartbeat", "StrategySvc", 1, .heartbeat(Heartbeat(service: "StrategySvc"))),
                            publish: publish)
        #expect(node.feedSilence(after: 10) == nil, "its publishers are alive")
    }
}
