import ArgumentParser
import Dispatch
import Foundation
import MeshKit
import TradingCore

/// Bus benchmarks: Swift PUB→SUB over ipc with the TradeMesh envelope (every `Bar` encoded and decoded), and
/// the codec alone, binary against JSON. Run with `swift run -c release BusBench …`; `Benchmarks/bus.sh` runs the
/// raw libzmq peer (`zthr`) in the same run.
@main
struct BusBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "BusBench",
        abstract: "Measure the TradeMesh bus: PUB→SUB throughput with the envelope, and codec cost.",
        subcommands: [Throughput.self, Publisher.self, Subscriber.self, Codec.self],
        defaultSubcommand: Throughput.self)
}

/// A deterministic bar message with sequence `seq`.
func barEnvelope(_ seq: UInt64) -> Envelope {
    let price = 100 + Double(seq % 1000) * 0.01
    return Envelope(topic: "bar.NVDA", source: "DataSvc", seq: seq, tsEvent: Int64(seq) * 3_600_000_000_000,
                    tsInit: Int64(seq), message: .bar(symbol: "NVDA", bar: Bar(
                        time: Int64(seq) * 3_600_000_000_000, open: price, high: price + 0.5, low: price - 0.5,
                        close: price + 0.25, volume: Double(seq % 10_000))))
}

func nowNanos() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Spawns a subscriber and a publisher process over ipc and prints the subscriber's receive rate.
struct Throughput: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "throughput")
    @Option(name: .shortAndLong) var count: Int = 1_000_000
    @Option(name: .long, help: "High-water mark on both sides (0 = unlimited).") var hwm: Int32 = 0
    @Option(name: .long) var reps: Int = 3

    func run() throws {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        var rates: [Double] = []
        for rep in 0..<reps {
            let dir = "/tmp/trademesh-busbench-\(getpid())-\(rep)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let data = "ipc://\(dir)/data.ipc", sync = "ipc://\(dir)/sync.ipc"
            let sub = Process()
            sub.executableURL = URL(fileURLWithPath: me)
            sub.arguments = ["sub", "--data", data, "--sync", sync, "--count", String(count), "--hwm", String(hwm)]
            let out = Pipe()
            sub.standardOutput = out
            try sub.run()
            let pub = Process()
            pub.executableURL = URL(fileURLWithPath: me)
            pub.arguments = ["pub", "--data", data, "--sync", sync, "--count", String(count), "--hwm", String(hwm)]
            try pub.run()
            pub.waitUntilExit()
            sub.waitUntilExit()
            let line = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            guard let rate = Double(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw ValidationError("subscriber failed: \(line)")
            }
            rates.append(rate)
            try? FileManager.default.removeItem(atPath: dir)
        }
        let median = rates.sorted()[rates.count / 2]
        let size = WireCodec.frame(barEnvelope(1)).count
        print(#"{"bench":"swift_pubsub_ipc","messages":\#(count),"frame_bytes":\#(size),"hwm":\#(hwm),"reps":\#(reps),"recv_rate_median":\#(Int(median)),"recv_rates":\#(rates.map { Int($0) })}"#)
    }
}

/// Publisher process: binds PUB, waits for the subscriber's readiness, sends `count` bars, then end markers.
struct Publisher: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pub")
    @Option var data: String
    @Option var sync: String
    @Option var count: Int
    @Option var hwm: Int32 = 0

    func run() throws {
        let ctx = try ZMQContext()
        let pub = try ZMQSocket(context: ctx, type: .pub)
        try pub.setSendHighWaterMark(hwm)
        try pub.setLinger(milliseconds: 1000)
        try pub.bind(data)
        let control = try ZMQSocket(context: ctx, type: .pull)
        try control.setLinger(milliseconds: 0)
        try control.bind(sync)
        var poll = ZMQPoller([.socket(control)])
        // Slow-joiner handshake: probe until the subscriber says it sees them.
        repeat { try pub.send([Array("sync.probe".utf8)]) } while try !poll.poll(milliseconds: 1)[0]
        _ = try control.receive()
        for seq in 1...UInt64(count) {
            try pub.send([WireCodec.frame(barEnvelope(seq))])
        }
        repeat { try pub.send([Array("sync.end".utf8)]) } while try !poll.poll(milliseconds: 10)[0]
        pub.close(); control.close(); ctx.terminate()
    }
}

/// Subscriber process: decodes every bar, checks sequence, prints messages/s from first to last bar.
struct Subscriber: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sub")
    @Option var data: String
    @Option var sync: String
    @Option var count: Int
    @Option var hwm: Int32 = 0

    func run() throws {
        let ctx = try ZMQContext()
        let sub = try ZMQSocket(context: ctx, type: .sub)
        try sub.setReceiveHighWaterMark(hwm)
        try sub.setLinger(milliseconds: 0)
        try sub.subscribe("bar.")
        try sub.subscribe("sync.")
        try sub.connect(data)
        let control = try ZMQSocket(context: ctx, type: .push)
        try control.setLinger(milliseconds: 1000)
        try control.connect(sync)
        var ready = false
        var received = 0, expected: UInt64 = 1, gaps = 0
        var first: UInt64 = 0, last: UInt64 = 0
        var checksum = 0.0
        while received < count {
            let frames = try sub.receive()
            if frames[0].first == UInt8(ascii: "s") {
                if !ready { ready = true; try control.send([[1]]) }
                if frames[0] == Array("sync.end".utf8) { break }
                continue
            }
            let e = try WireCodec.decode(frame: frames[0])
            if received == 0 { first = nowNanos() }
            if e.seq != expected { gaps += 1 }
            expected = e.seq + 1
            if case .bar(_, let bar) = e.message { checksum += bar.close }
            received += 1
            last = nowNanos()
        }
        try control.send([[2]])
        guard received == count, gaps == 0, checksum > 0 else {
            print("received \(received) of \(count), gaps \(gaps)")
            throw ExitCode(1)
        }
        print(Double(received - 1) / (Double(last - first) / 1e9))
        sub.close(); control.close(); ctx.terminate()
    }
}

/// Encode + decode cost of one `Bar` envelope: the binary codec against JSON.
struct Codec: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec")
    @Option(name: .shortAndLong) var count: Int = 200_000

    func run() throws {
        let envelopes = (1...UInt64(count)).map(barEnvelope)
        var sink = 0.0
        let t0 = nowNanos()
        for e in envelopes {
            let bytes = WireCodec.encode(e)
            if case .bar(_, let b) = try WireCodec.decode(topic: Array(e.topic.utf8), payload: bytes).message {
                sink += b.close
            }
        }
        let t1 = nowNanos()
        for e in envelopes {
            let text = EnvelopeJSON.line(e)
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
            sink += (object["close"] as! NSNumber).doubleValue
        }
        let t2 = nowNanos()
        let binary = Double(t1 - t0) / Double(count), json = Double(t2 - t1) / Double(count)
        let jsonSize = EnvelopeJSON.line(envelopes[0]).utf8.count
        print(#"{"bench":"codec_bar","messages":\#(count),"binary_ns_per_msg":\#(Int(binary)),"binary_bytes":\#(WireCodec.encode(envelopes[0]).count),"json_ns_per_msg":\#(Int(json)),"json_bytes":\#(jsonSize),"checksum":\#(sink > 0)}"#)
    }
}
