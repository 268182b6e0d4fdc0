import ArgumentParser
import Foundation
import Journal
import TradingCore

/// The journal's durable write throughput and the risk layer's added latency per order.
@main
struct JournalBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "JournalBench",
        abstract: "Journal fills/s with durable commits (per fill and per batch) and the risk rules' cost per order.")

    @Option(help: "Fills to journal per measurement.")
    var fills: Int = 5_000

    @Option(help: "Orders through the risk rules.")
    var orders: Int = 1_000_000

    @Option(help: "Directory for the journal files (a real disk, not tmpfs, for durable figures).")
    var dir: String = "/var/tmp"

    func run() throws {
        for batch in [1, 64] {
            let path = dir + "/trademesh-journal-bench-\(getpid())-\(batch).sqlite"
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            let journal = try SessionJournal.create(path: path, session: .init(manifest: "{}", barsPerYear: 1764,
                                                                               skippedRows: 0))
            let start = ContinuousClock.now
            for i in 0..<fills {
                let fill = Fill(clientOrderID: "threshold-BENCH-\(i)-1", symbol: "BENCH", side: i % 2 == 0 ? .buy : .sell,
                                quantity: 100, price: 100 + Double(i % 50) * 0.01, cost: 1, reason: .signal)
                try journal.record(fill: fill, seq: UInt64(i + 1), time: Int64(i) * 3_600_000_000_000)
                if (i + 1) % batch == 0 { try journal.commit() }
            }
            try journal.commit()
            let seconds = (ContinuousClock.now - start).inSeconds
            print(#"{"bench":"journal_fills","commit_every":\#(batch),"fills":\#(fills),"seconds":\#(seconds),"fills_per_s":\#(Int(Double(fills) / seconds)),"synchronous":"FULL","journal_mode":"WAL"}"#)
        }

        let limits = RiskLimits(maxDailyLoss: 2_000, maxDailyLossFraction: 0.03, reducingAt: 0.75,
                                maxPositionUnits: 5_000, maxPositionNotional: 500_000, maxOrderUnits: 2_500,
                                maxOrderNotional: 250_000, maxOrdersPerMinute: Int.max / 2, limitCollar: 0.03)
        var risk = RiskStateMachine(limits: limits, startOfDayEquity: 100_000)
        _ = risk.mark("BENCH", price: 100)
        var forwarded = 0
        let orderList = (0..<1024).map { i in
            Order(clientOrderID: "o\(i)", symbol: "BENCH", side: i % 2 == 0 ? .buy : .sell, quantity: 10, type: .market)
        }
        let start = ContinuousClock.now
        for i in 0..<orders {
            for action in risk.submit(orderList[i & 1023], at: Int64(i) * 1_000_000_000) {
                if case .forward = action { forwarded += 1 }
            }
        }
        let seconds = (ContinuousClock.now - start).inSeconds
        print(#"{"bench":"risk_rules_per_order","orders":\#(orders),"forwarded":\#(forwarded),"ns_per_order":\#(Int(seconds / Double(orders) * 1e9))}"#)
    }
}
