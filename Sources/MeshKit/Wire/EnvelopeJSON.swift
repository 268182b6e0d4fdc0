import TradingCore
import Yams

/// JSON views of envelopes: one object per message for `MeshCtl tap`, and the field objects `MeshCtl pub` reads.
public enum EnvelopeJSON {
    /// `{"topic":…,"type":…,"seq":…,"source":…,"ts_event":…,"ts_init":…,<fields>}` on one line.
    public static func line(_ e: Envelope) -> String {
        var j = JSONWriter(pretty: false)
        j.object { j in
            j.field("topic", e.topic)
            j.field("type", e.message.type.name)
            j.field("seq", Int(clamping: e.seq))
            j.field("source", e.source)
            j.field("ts_event", Int(e.tsEvent))
            j.field("ts_init", Int(e.tsInit))
            fields(e.message, into: &j)
        }
        return j.text
    }

    static func fields(_ m: MeshMessage, into j: inout JSONWriter) {
        switch m {
        case .bar(let symbol, let b):
            j.field("symbol", symbol); j.field("time", Int(b.time)); j.field("open", b.open); j.field("high", b.high)
            j.field("low", b.low); j.field("close", b.close); j.field("volume", b.volume)
        case .prediction(let symbol, let p):
            j.field("symbol", symbol); j.field("time", Int(p.time)); j.field("predicted_price", p.predictedPrice)
            j.field("predicted_return", p.predictedReturn)
        case .signal(let symbol, let barTime, let plan):
            j.field("symbol", symbol); j.field("time", Int(barTime))
            for (key, s) in [("when_flat", plan.whenFlat), ("when_long", plan.whenLong), ("when_short", plan.whenShort)] {
                j.field(key, s.direction.rawValue)
            }
            switch plan.whenFlat.size {
            case .fraction(let f): j.field("size_kind", "fraction"); j.field("size", f)
            case .units(let u): j.field("size_kind", "units"); j.field("size", u)
            }
            j.field("predicted_return", plan.predictedReturn)
        case .order(let o):
            j.field("client_order_id", o.clientOrderID); j.field("symbol", o.symbol); j.field("side", o.side.rawValue)
            j.field("order_type", o.type.rawValue); j.field("quantity", o.quantity); j.field("price", o.price)
        case .fill(let f):
            j.field("client_order_id", f.clientOrderID); j.field("symbol", f.symbol); j.field("side", f.side.rawValue)
            j.field("reason", f.reason.rawValue); j.field("quantity", f.quantity); j.field("price", f.price)
            j.field("cost", f.cost)
        case .position(let p):
            j.field("symbol", p.symbol); j.field("position", p.position); j.field("cash", p.cash)
            j.field("equity", p.equity); j.field("realized_pnl", p.realizedPnL); j.field("unrealized_pnl", p.unrealizedPnL)
        case .ready(let service, let topics):
            j.field("service", service)
            j.rawField("topics", "[" + topics.map(JSONWriter.quote).joined(separator: ",") + "]")
        case .ack(let service, let lastSeq):
            j.field("service", service); j.field("last_seq", Int(clamping: lastSeq))
        case .resume(let reason, let proof):
            j.field("reason", reason); j.field("proof", proof)
        case .killAck(let a):
            j.field("service", a.service); j.field("request_source", a.requestSource)
            j.field("request_seq", Int(clamping: a.requestSeq)); j.field("request_time", Int(a.requestTime))
            j.field("accepted", a.accepted); j.field("halted", a.halted); j.field("detail", a.detail)
        case .resend(let service, let topic, let fromSeq):
            j.field("service", service); j.field("stream_topic", topic); j.field("from_seq", Int(fromSeq))
        case .denied(let d):
            j.field("client_order_id", d.order.clientOrderID); j.field("symbol", d.order.symbol)
            j.field("side", d.order.side.rawValue); j.field("quantity", d.order.quantity); j.field("rule", d.rule)
            j.field("limit", d.limit); j.field("observed", d.observed); j.field("reason", d.reason)
        case .kill(let reason, let flatten):
            j.field("reason", reason); j.field("flatten", flatten)
        case .heartbeat(let h):
            j.field("service", h.service); j.field("messages_in", Int(clamping: h.messagesIn))
            j.field("messages_out", Int(clamping: h.messagesOut)); j.field("dropped", Int(clamping: h.dropped))
            j.field("gaps", Int(clamping: h.gaps)); j.field("last_seq", Int(clamping: h.lastSeq))
        case .end(let service, let topic, let lastSeq):
            j.field("service", service); j.field("stream_topic", topic); j.field("last_seq", Int(clamping: lastSeq))
        }
    }

    /// Builds a message of the type `topic` carries from a JSON object of its fields (the names `line` writes).
    public static func message(topic: String, json: String) throws -> MeshMessage {
        guard let type = Topic.messageType(of: topic) else {
            throw MeshError.badInput("topic '\(topic)': unknown topic family (bar., pred., signal., order., fill., "
                                     + "pnl., ctl.ready, ctl.ack, ctl.kill, ctl.resume, ctl.heartbeat, ctl.end)")
        }
        guard !topic.utf8.contains(WireCodec.topicTerminator) else {
            throw MeshError.badInput("topic '\(topic)' contains a 0x00 byte, which ends a topic on the wire")
        }
        var object: [String: Node] = [:]
        let trimmed = json.drop { $0 == " " || $0 == "\n" || $0 == "\t" }
        guard trimmed.first == "{", let root = (try? Yams.compose(yaml: json)) ?? nil else {
            throw MeshError.badInput("message is not valid JSON: expected an object like {\"reason\": \"manual\"}")
        }
        guard let mapping = root.mapping else { throw MeshError.badInput("message JSON must be an object") }
        for (k, v) in mapping {
            guard let key = k.string else { throw MeshError.badInput("message JSON keys must be strings") }
            object[key] = v
        }
        var f = Fields(object: object, type: type.name)
        let symbolDefault = topic.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init)
        let message: MeshMessage
        switch type {
        case .bar:
            message = .bar(symbol: try f.string("symbol", default: symbolDefault),
                           bar: Bar(time: try f.int("time"), open: try f.double("open"), high: try f.double("high"),
                                    low: try f.double("low"), close: try f.double("close"),
                                    volume: try f.double("volume", default: 0)))
        case .prediction:
            message = .prediction(symbol: try f.string("symbol", default: symbolDefault),
                                  prediction: Prediction(time: try f.int("time"),
                                                         predictedPrice: try f.double("predicted_price"),
                                                         predictedReturn: try f.double("predicted_return")))
        case .signal:
            let size: PositionSize = try f.string("size_kind", default: "fraction") == "units"
                ? .units(try f.double("size")) : .fraction(try f.double("size", default: 1))
            func target(_ key: String, default fallback: Direction) throws -> Signal {
                let text = try f.string(key, default: fallback.rawValue)
                guard let direction = Direction(rawValue: text) else {
                    throw MeshError.badInput("signal.\(key): expected LONG, FLAT or SHORT, got '\(text)'")
                }
                return Signal(direction: direction, size: size)
            }
            let predicted = try f.double("predicted_return", default: .nan)
            message = .signal(symbol: try f.string("symbol", default: symbolDefault), barTime: try f.int("time"),
                              plan: SignalPlan(whenFlat: try target("when_flat", default: .flat),
                                               whenLong: try target("when_long", default: .long),
                                               whenShort: try target("when_short", default: .short),
                                               predictedReturn: predicted.isNaN ? nil : predicted))
        case .order:
            guard let side = OrderSide(rawValue: try f.string("side")),
                  let kind = OrderType(rawValue: try f.string("order_type", default: "MARKET")) else {
                throw MeshError.badInput("order: side must be BUY or SELL, order_type MARKET, LIMIT or STOP")
            }
            message = .order(Order(clientOrderID: try f.string("client_order_id"),
                                   symbol: try f.string("symbol", default: symbolDefault), side: side,
                                   quantity: try f.double("quantity"), type: kind, price: try f.optionalDouble("price")))
        case .fill:
            guard let side = OrderSide(rawValue: try f.string("side")),
                  let reason = FillReason(rawValue: try f.string("reason", default: "signal")) else {
                throw MeshError.badInput("fill: side must be BUY or SELL, reason one of \(FillReason.allCases.map(\.rawValue))")
            }
            message = .fill(Fill(clientOrderID: try f.string("client_order_id"),
                                 symbol: try f.string("symbol", default: symbolDefault), side: side,
                                 quantity: try f.double("quantity"), price: try f.double("price"),
                                 cost: try f.double("cost", default: 0), reason: reason))
        case .position:
            message = .position(PositionSnapshot(symbol: try f.string("symbol", default: symbolDefault),
                                                 position: try f.double("position"), cash: try f.double("cash"),
                                                 equity: try f.double("equity"),
                                                 realizedPnL: try f.double("realized_pnl", default: 0),
                                                 unrealizedPnL: try f.double("unrealized_pnl", default: 0)))
        case .ready:
            message = .ready(service: try f.string("service"), topics: try f.strings("topics"))
        case .ack:
            message = .ack(service: try f.string("service"), lastSeq: UInt64(max(0, try f.int("last_seq"))))
        case .resume:
            message = .resume(reason: try f.string("reason", default: "manual"), proof: try f.string("proof", default: ""))
        case .killAck:
            message = .killAck(KillAck(service: try f.string("service"), requestSource: try f.string("request_source"),
                                       requestSeq: UInt64(clamping: try f.int("request_seq")),
                                       requestTime: try f.int("request_time"), accepted: try f.bool("accepted", default: true),
                                       halted: try f.bool("halted", default: true), detail: try f.string("detail", default: "")))
        case .resend:
            message = .resend(service: try f.string("service", default: "MeshCtl"), topic: try f.string("stream_topic"),
                              fromSeq: UInt64(max(1, try f.int("from_seq"))))
        case .denied:
            guard let side = OrderSide(rawValue: try f.string("side")) else {
                throw MeshError.badInput("denied.side: expected BUY or SELL")
            }
            message = .denied(OrderDenied(
                order: Order(clientOrderID: try f.string("client_order_id"), symbol: try f.string("symbol", default: symbolDefault),
                             side: side, quantity: try f.double("quantity"), type: .market),
                rule: try f.string("rule"), limit: try f.optionalDouble("limit"), observed: try f.optionalDouble("observed"),
                reason: try f.string("reason", default: "")))
        case .kill:
            message = .kill(reason: try f.string("reason", default: "manual"), flatten: try f.bool("flatten", default: false))
        case .heartbeat:
            message = .heartbeat(Heartbeat(service: try f.string("service")))
        case .end:
            message = .end(service: try f.string("service"), topic: try f.string("stream_topic"),
                           lastSeq: UInt64(max(0, try f.int("last_seq"))))
        }
        try f.checkNoUnknownKeys()
        return message
    }

    /// Typed access to a JSON object's fields, remembering which were read so unknown keys can be reported.
    private struct Fields {
        let object: [String: Node]
        let type: String
        var used: Set<String> = []

        init(object: [String: Node], type: String) {
            self.object = object
            self.type = type
        }

        /// The field's node, nil when absent or JSON null.
        mutating func value(_ key: String) -> Node? {
            used.insert(key)
            guard let v = object[key] else { return nil }
            return v.tag == Tag(.null) ? nil : v
        }

        /// A scalar of one of the resolved tags, or nil when absent.
        mutating func scalar(_ key: String, _ tags: [Tag.Name], expected: String) throws -> Node.Scalar? {
            guard let v = value(key) else { return nil }
            guard let s = v.scalar, tags.contains(where: { v.tag == Tag($0) }) else {
                throw MeshError.badInput("\(type).\(key): expected \(expected)")
            }
            return s
        }

        mutating func string(_ key: String, default d: String? = nil) throws -> String {
            if let s = try scalar(key, [.str], expected: "a string") { return s.string }
            if let d { return d }
            throw MeshError.badInput("\(type).\(key): expected a string")
        }

        mutating func strings(_ key: String) throws -> [String] {
            guard let v = value(key) else { return [] }
            guard let list = v.sequence, list.allSatisfy({ $0.tag == Tag(.str) }) else {
                throw MeshError.badInput("\(type).\(key): expected a list of strings")
            }
            return list.compactMap(\.string)
        }

        mutating func double(_ key: String, default d: Double? = nil) throws -> Double {
            if let s = try scalar(key, [.int, .float], expected: "a number") {
                guard let v = Double(s.string), v.isFinite else {
                    throw MeshError.badInput("\(type).\(key): expected a finite number")
                }
                return v
            }
            if let d { return d }
            throw MeshError.badInput("\(type).\(key): expected a number")
        }

        mutating func optionalDouble(_ key: String) throws -> Double? {
            object[key] == nil || object[key]?.tag == Tag(.null) ? nil : try double(key)
        }

        mutating func int(_ key: String) throws -> Int64 {
            guard let s = try scalar(key, [.int], expected: "an integer"), let v = Int64(s.string) else {
                throw MeshError.badInput("\(type).\(key): expected an integer")
            }
            return v
        }

        mutating func bool(_ key: String, default d: Bool) throws -> Bool {
            guard let s = try scalar(key, [.bool], expected: "true or false") else { return d }
            return s.string == "true"
        }

        func checkNoUnknownKeys() throws {
            let unknown = object.keys.filter { !used.contains($0) }.sorted()
            if let first = unknown.first {
                throw MeshError.badInput("\(type).\(first): unknown field (known: \(used.sorted().joined(separator: ", ")))")
            }
        }
    }
}
