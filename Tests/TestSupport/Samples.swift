import MeshKit
import TradingCore

/// One message of every type, as the tests and the Python interop script expect them.
public enum Samples {
    public static let messages: [(String, MeshMessage)] = [
        ("bar.NVDA", .bar(symbol: "NVDA", bar: Bar(time: 1_700_000_000_000_000_000, open: 101.25, high: 102.5,
                                                    low: 100.75, close: 101.5, volume: 123_456))),
        ("pred.NVDA", .prediction(symbol: "NVDA", prediction: Prediction(time: 1_700_000_000_000_000_000,
                                                                          predictedPrice: 101.9, predictedReturn: 0.004))),
        ("signal.NVDA", .signal(symbol: "NVDA", barTime: 1_700_000_000_000_000_000,
                                plan: SignalPlan(whenFlat: Signal(direction: .short, size: .units(25)),
                                                 whenLong: Signal(direction: .flat, size: .units(25)),
                                                 whenShort: Signal(direction: .short, size: .units(25)),
                                                 predictedReturn: -0.0031))),
        ("order.NVDA", .order(Order(clientOrderID: "threshold-NVDA-000042-1", symbol: "NVDA", side: .sell,
                                    quantity: 25, type: .limit, price: 101.0))),
        ("fill.NVDA", .fill(Fill(clientOrderID: "threshold-NVDA-000042-1", symbol: "NVDA", side: .sell, quantity: 25,
                                 price: 101.05, cost: 1.0, reason: .takeProfit))),
        ("pnl.NVDA", .position(PositionSnapshot(symbol: "NVDA", position: -25, cash: 102_526.25, equity: 100_001.25,
                                                realizedPnL: 12.5, unrealizedPnL: -3.75))),
        ("ctl.ready", .ready(service: "StrategySvc", topics: ["bar.", "pred.", "ctl."])),
        ("ctl.ack", .ack(service: "ExecSvc", lastSeq: 4_242)),
        ("ctl.kill", .kill(reason: "manual stop", flatten: true)),
        ("ctl.resume", .resume(reason: "checked the positions", proof: String(repeating: "ab", count: 32))),
        ("ctl.kill.ack", .killAck(KillAck(service: "ExecSvc", requestSource: "MeshCtl", requestSeq: 1,
                                          requestTime: 1_700_000_003_600_000_002, accepted: false, halted: true,
                                          detail: "a resume needs the operator's proof"))),
        ("ctl.resend", .resend(service: "ExecSvc", topic: "bar.NVDA", fromSeq: 1_207)),
        ("order.denied.NVDA", .denied(OrderDenied(
            order: Order(clientOrderID: "threshold-NVDA-43-denied", symbol: "NVDA", side: .buy, quantity: 3000,
                         type: .market),
            rule: "max_order_units", limit: 2500, observed: 3000, reason: "order of 3000 units exceeds 2500"))),
        ("ctl.heartbeat", .heartbeat(Heartbeat(service: "DataSvc", messagesIn: 1, messagesOut: 2, dropped: 3, gaps: 4,
                                               lastSeq: 5))),
        ("ctl.end", .end(service: "DataSvc", topic: "bar.NVDA", lastSeq: 17_619)),
    ]

    public static func envelope(_ i: Int, seq: UInt64 = 7) -> Envelope {
        Envelope(topic: messages[i].0, source: "test", seq: seq, tsEvent: 1_700_000_003_600_000_000,
                 tsInit: 1_700_000_003_600_000_001, message: messages[i].1)
    }
}
