import Foundation
import Testing
import TestSupport
import TradingCore
@testable import MeshKit

@Suite struct WireCodecTests {
    @Test func everyTypeRoundTrips() throws {
        #expect(Set(Samples.messages.map { $0.1.type }) == Set(MessageType.allCases))
        for i in Samples.messages.indices {
            let e = Samples.envelope(i)
            let decoded = try WireCodec.decode(topic: Array(e.topic.utf8), payload: WireCodec.encode(e))
            #expect(decoded == e)
        }
    }

    /// Messages longer than the encoder's stack scratch buffer, and text that is not ASCII, round-trip too.
    @Test func longAndNonASCIIMessagesRoundTrip() throws {
        let messages: [(String, MeshMessage)] = [
            ("ctl.kill", .kill(reason: String(repeating: "halt ", count: 200), flatten: true)),
            ("ctl.ready", .ready(service: "ExecSvc", topics: (0..<60).map { "bar.SYM\($0)" })),
            ("ctl.resume", .resume(reason: "reprise après l’arrêt — ok ✓", proof: "")),
        ]
        for (topic, message) in messages {
            let e = Envelope(topic: topic, source: "Svc-é", seq: 7, tsEvent: 1, tsInit: 2, message: message)
            #expect(try WireCodec.decode(topic: Array(topic.utf8), payload: WireCodec.encode(e)) == e)
        }
    }

    /// Strings of 0xFFFF bytes and more are never cut: a 40,000 × "é" kill reason (80,000 bytes), a long source and
    /// a ready with more than 65,535 topics come back whole, and valid UTF-8.
    @Test func stringsPastSixtyFiveKilobytesTravelWhole() throws {
        let reason = String(repeating: "é", count: 40_000)
        let longSource = String(repeating: "s", count: 70_000)
        let cases: [(String, String, MeshMessage)] = [
            ("ctl.kill", "MeshCtl", .kill(reason: reason, flatten: true)),
            ("ctl.resume", longSource, .resume(reason: "ok", proof: String(repeating: "p", count: 70_000))),
            ("ctl.ready", "ExecSvc", .ready(service: "ExecSvc", topics: (0..<70_000).map { _ in "b" })),
        ]
        for (topic, source, message) in cases {
            let e = Envelope(topic: topic, source: source, seq: 9, tsEvent: 3, tsInit: 4, message: message)
            let frame = WireCodec.frame(e)
            let decoded = try WireCodec.decode(frame: frame)
            #expect(decoded == e)
            #expect(decoded.seq == 9 && decoded.tsInit == 4)
        }
        // Exactly at the escape: 0xFFFF bytes takes the u32 form, 0xFFFE the u16 one.
        for n in [0xFFFE, 0xFFFF, 0x1_0000] {
            let e = Envelope(topic: "ctl.resume", source: "x", seq: 1, tsEvent: 0, tsInit: 0,
                             message: .resume(reason: String(repeating: "r", count: n), proof: ""))
            let payload = WireCodec.encode(e)
            let header = 28 + 1
            let prefix = UInt16(payload[header]) | UInt16(payload[header + 1]) << 8
            #expect(prefix == (n < 0xFFFF ? UInt16(n) : 0xFFFF))
            #expect(payload.count == header + (n < 0xFFFF ? 2 : 6) + n + 2)   // then the empty proof
            #expect(try WireCodec.decode(topic: Array("ctl.resume".utf8), payload: payload) == e)
        }
    }

    /// A receiver does not read past a hostile escaped length.
    @Test func anEscapedLengthPastTheEndIsTruncatedNotRead() {
        var payload = WireCodec.encode(Envelope(topic: "ctl.resume", source: "x", seq: 1, tsEvent: 0, tsInit: 0,
                                                message: .resume(reason: "ok", proof: "")))
        payload.replaceSubrange(29..., with: [0xFF, 0xFF, 0x00, 0x00, 0x00, 0x40, 0x41])
        #expect(throws: WireError.truncated(needed: 0x4000_0000, remaining: 1)) {
            try WireCodec.decode(topic: Array("ctl.resume".utf8), payload: payload)
        }
    }

    /// A message travels as one frame: the topic, a 0x00 byte, the payload.
    @Test func everyTypeRoundTripsAsOneFrame() throws {
        for i in Samples.messages.indices {
            let e = Samples.envelope(i)
            let frame = WireCodec.frame(e)
            #expect(frame == Array(e.topic.utf8) + [0] + WireCodec.encode(e))
            #expect(try WireCodec.decode(frame: frame) == e)
        }
    }

    @Test func aFrameWithoutTopicTerminatorOrWithBadPartsIsAnError() {
        let e = Samples.envelope(0)
        let payload = WireCodec.encode(e)
        #expect(throws: WireError.noTopicTerminator) { try WireCodec.decode(frame: Array(e.topic.utf8)) }
        #expect(throws: WireError.noTopicTerminator) { try WireCodec.decode(frame: []) }
        #expect(throws: WireError.badTopic) { try WireCodec.decode(frame: [0xff, 0xfe, 0] + payload) }
        // The first 0x00 ends the topic: a topic with a 0x00 in it leaves bytes that are not a payload.
        #expect(throws: WireError.self) { try WireCodec.decode(frame: Array("bar.".utf8) + [0] + Array(e.topic.utf8) + [0] + payload) }
        #expect(throws: WireError.truncated(needed: 1, remaining: 0)) {
            try WireCodec.decode(frame: Array(e.topic.utf8) + [0])
        }
    }

    @Test func jsonInputRefusesATopicWithTheTerminatorByte() {
        #expect(throws: MeshError.self) {
            try EnvelopeJSON.message(topic: "ctl.kill\u{0}x", json: #"{"reason":"manual"}"#)
        }
    }

    @Test func barLayoutIsFixed() {
        // 28-byte header + 4-byte source + (2 + 4) symbol + 8 time + 5 × 8 prices = 86 bytes (docs/wire.md).
        let bytes = WireCodec.encode(Samples.envelope(0))
        #expect(bytes.count == 86)
        #expect(bytes[0] == 1 && bytes[1] == 1)
        #expect(Array(bytes[28..<32]) == Array("test".utf8))
    }

    @Test func everyTruncationIsAnErrorNotACrash() throws {
        for i in Samples.messages.indices {
            let e = Samples.envelope(i)
            let bytes = WireCodec.encode(e)
            for cut in 0..<bytes.count {
                #expect(throws: WireError.self) {
                    try WireCodec.decode(topic: Array(e.topic.utf8), payload: Array(bytes[0..<cut]))
                }
            }
        }
    }

    @Test func badHeadersAndFields() {
        let e = Samples.envelope(0)
        var bytes = WireCodec.encode(e)
        let topic = Array(e.topic.utf8)
        bytes[0] = 9
        #expect(throws: WireError.unsupportedVersion(9)) { try WireCodec.decode(topic: topic, payload: bytes) }
        bytes[0] = 1; bytes[1] = 77
        #expect(throws: WireError.unknownType(77)) { try WireCodec.decode(topic: topic, payload: bytes) }
        bytes[1] = 1
        #expect(throws: WireError.trailingBytes(1)) { try WireCodec.decode(topic: topic, payload: bytes + [0]) }
        #expect(throws: WireError.topicMismatch(topic: "fill.NVDA", type: "bar")) {
            try WireCodec.decode(topic: Array("fill.NVDA".utf8), payload: bytes)
        }
        #expect(throws: WireError.badTopic) { try WireCodec.decode(topic: [0xff, 0xfe], payload: bytes) }
        var signal = WireCodec.encode(Samples.envelope(2))
        signal[28 + 4 + 6 + 8] = 9   // direction byte
        #expect(throws: WireError.badField("signal direction 9")) {
            try WireCodec.decode(topic: Array("signal.NVDA".utf8), payload: signal)
        }
    }

    @Test func jsonLinesAndJSONInputAgree() throws {
        for i in Samples.messages.indices {
            let e = Samples.envelope(i)
            let line = EnvelopeJSON.line(e)
            #expect(line.hasPrefix("{\"topic\":\"\(e.topic)\",\"type\":\"\(e.message.type.name)\",\"seq\":7,"))
            // `pub` accepts the fields that `tap` prints (minus the header keys); heartbeats carry only the service.
            guard e.message.type != .heartbeat else { continue }
            var fields = line
            for key in ["topic", "type", "seq", "source", "ts_event", "ts_init"] {
                fields = fields.replacingOccurrences(of: #""\#(key)":[^,]*,"#, with: "", options: .regularExpression)
            }
            #expect(try EnvelopeJSON.message(topic: e.topic, json: fields) == e.message, "\(fields)")
        }
    }

    @Test func jsonInputErrorsNameTheField() {
        let cases: [(String, String, String)] = [
            ("ctl.kill", #"{"reason": 5}"#, "kill.reason: expected a string"),
            ("ctl.kill", #"{"reason": "x", "flaten": true}"#, "kill.flaten: unknown field"),
            ("bar.NVDA", #"{"time": 1, "open": 1, "high": 1, "low": 1}"#, "bar.close: expected a number"),
            ("ctl.kill", "not json", "message is not valid JSON"),
            ("weird.topic", "{}", "unknown topic family"),
            ("signal.X", #"{"time": 1, "when_long": "UP"}"#, "signal.when_long: expected LONG, FLAT or SHORT, got 'UP'"),
        ]
        for (topic, json, message) in cases {
            do {
                _ = try EnvelopeJSON.message(topic: topic, json: json)
                Issue.record("expected an error for \(json)")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }
}

/// Decoding with the receiver's table of recent strings gives the same envelopes as without, for repeated,
/// changing, long and non-ASCII strings.
@Suite struct RecentStringsTests {
    @Test func decodingWithRecentStringsMatchesDecodingWithout() throws {
        let recent = RecentStrings()
        var envelopes: [Envelope] = []
        for i in 0..<200 {
            let symbol = ["NVDA", "AAPL", "Ünïcødé", String(repeating: "X", count: 40 + i % 3)][i % 4]
            let source = i % 7 == 0 ? "Service\(i % 20)" : "DataSvc"
            envelopes.append(Envelope(topic: "bar." + symbol, source: source, seq: UInt64(i + 1), tsEvent: Int64(i),
                                      tsInit: Int64(i), message: .bar(symbol: symbol, bar: Bar(
                                          time: Int64(i), open: 1, high: 2, low: 0.5, close: 1.5, volume: 10))))
        }
        for e in envelopes {
            let topic = Array(e.topic.utf8), payload = WireCodec.encode(e)
            let decoded = try topic.withUnsafeBytes { t in
                try payload.withUnsafeBytes { p in try WireCodec.decode(topic: t, payload: p, recent: recent) }
            }
            #expect(decoded == e)
        }
    }

    /// More strings than the table has slots, of every length it keeps, in a repeating order: slots are taken
    /// over, and each lookup still returns exactly the string of its bytes.
    @Test func manyStringsSharingSlotsAreNeverMixedUp() {
        let recent = RecentStrings()
        let words = (0..<200).map { i in String(repeating: "ab", count: i % 16) + "\(i)" }
        for _ in 0..<3 {
            for word in words {
                var w = word
                #expect(w.withUTF8 { recent.string(UnsafeRawBufferPointer($0)) } == word)
            }
        }
    }

    @Test func invalidUTF8IsRefusedAndNotRemembered() {
        let recent = RecentStrings()
        let bad: [UInt8] = [0x62, 0xFF, 0x2E]   // not UTF-8: refused, and not remembered as a string
        bad.withUnsafeBytes { raw in
            #expect(recent.string(raw) == nil)
            #expect(recent.string(raw) == nil)
        }
    }
}
