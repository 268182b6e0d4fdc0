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
        _ = try node.handle(Self.envelope("ctl.resume", "MeshCtl", 1, .resume(reason: "ok")), publish: publish)
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
        var fills: [String] = []
        func record(bar: Bar, seq: UInt64) {}
        func record(decision: SignalPlan, seq: UInt64) {}
        func record(fill: Fill, seq: UInt64, time: Int64) { fills.append(fill.clientOrderID) }
        func record(snapshot: PositionSnapshot, seq: UInt64, time: Int64) {}
        func record(event kind: String, flatten: Bool, detail: String, barsDone: UInt64, decisionsDone: UInt64) {}
        func record(order: Order, seq: UInt64, time: Int64, acknowledged: Bool, status: OrderStatus, detail: String) {
            orders.append((order.clientOrderID, acknowledged, status))
        }
        func record(risk event: RiskGate.Event, seq: UInt64) { risk.append(event) }
        func commit() {}
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
        #expect(journal.risk.map(\.rule) == ["max_order_units"])
        #expect(journal.risk.first?.denied?.order.quantity == 5)
        #expect(journal.orders.map(\.id) == ["threshold-X-000003-1"], "only the allowed order reached the broker")
        #expect(journal.orders.map(\.status) == [.filled] && journal.orders.allSatisfy(\.acknowledged))
        #expect(journal.fills == journal.orders.map(\.id))
    }
}
