import Logging
import ServiceLifecycle
import TradingCore

/// Publishes a bar series on `bar.<SYMBOL>` in order, one message per bar with sequence numbers 1, 2, 3…, then
/// returns. Time is virtual: `ts_event` and `ts_init` are the bar's own timestamp, so a replay never reads the wall
/// clock. It announces `ctl.ready` first; like every `BusConnection`, it holds its first messages until the
/// forwarder has passed a subscription on (see docs/bus.md). A graceful shutdown stops it between two bars.
public struct BarReplayService: Service {
    public let name: String
    private let symbol: String
    private let series: BarSeries
    private let endpoints: MeshEndpoints
    private let logger: Logger

    public init(name: String, symbol: String, series: BarSeries, endpoints: MeshEndpoints, logger: Logger) {
        self.name = name
        self.symbol = symbol
        self.series = series
        self.endpoints = endpoints
        self.logger = logger
    }

    public func run() async throws {
        let bus = BusConnection(source: name, endpoints: endpoints, subscriptions: [], logger: logger)
        try bus.start()
        defer { bus.stop() }
        let start = series.count > 0 ? series[0].time : 0
        bus.publish(topic: Topic.ready, message: .ready(service: name, topics: []), tsEvent: start, tsInit: start)
        let topic = Topic.bar(symbol)
        let series = self.series
        let symbol = self.symbol
        let published = await cancelWhenGracefulShutdown {
            var published = 0
            for index in 0..<series.count {
                // Checked every 1024 bars: cheap, and well inside the one-second stop budget.
                if index & 1023 == 0 && Task.isCancelled { break }
                let bar = series[index]
                bus.publish(topic: topic, message: .bar(symbol: symbol, bar: bar), tsEvent: bar.time, tsInit: bar.time)
                published += 1
            }
            return published
        }
        logger.info("replay finished", metadata: [
            "topic": "\(topic)", "published": "\(published)", "bars": "\(series.count)",
        ])
    }
}
