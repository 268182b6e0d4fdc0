// swift-tools-version:6.2
import PackageDescription

/// TradeMesh: a trading system shaped as a ZeroMQ microservice mesh.
///
/// Layers, bottom up (see docs/architecture.md for the graph):
/// - `TradingCore`: the domain, pure — values, strategies, sizing, the execution and risk state machines, the
///   simulated broker, metrics formulas. No file, process, thread, clock or Dispatch use.
/// - `TradingRun`: the run layer — CSV loaders, config, the backtest runner, result writers, manifest and code
///   version, sweeps, the HTML report.
/// - `Forecast`: features, the LSTM, the model registry, Keras import.
/// - `Journal`: the session journal on SQLite. `Brokers`: brokers behind the risk rules.
/// - `IBKRProtocol`: the Interactive Brokers TWS API protocol, pure — framing, handshake, encoders, decoders,
///   the connection state machine, error codes, pacing. No sockets, threads, clock or Foundation.
///   `IBKRConnection`: that protocol on a socket and its own I/O thread — heartbeat, reconnect, pacing.
///   `TWSSimulator`: a TWS / IB Gateway simulator over a CSV (the `TWSSim` executable) — a pure core and its server.
///   `IBKRBroker`: the Interactive Brokers broker (a pure core over TWS messages, reconciliation, paper guard).
/// - `MeshKit`: the bus only — ZeroMQ wrapper, I/O thread, envelope codec, topics, endpoints.
/// - `MeshServices`: the services' state machines on the bus (prediction, strategy, execution nodes, sequence
///   joins, published logs), the generic node service and the replay publisher.
/// - `MeshCLI`: the commands the executables share, compose support, process supervision.
/// - Thin `@main` executables over those libraries; C system libraries (`CZMQ`, `CSQLite`, `CHDF5`,
///   `COpenBLAS`, `CMalloc`) at the bottom.
let package = Package(
    name: "TradeMesh",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "DataSvc", targets: ["DataSvc"]),
        .executable(name: "PredictSvc", targets: ["PredictSvc"]),
        .executable(name: "StrategySvc", targets: ["StrategySvc"]),
        .executable(name: "ExecSvc", targets: ["ExecSvc"]),
        .executable(name: "Backtester", targets: ["Backtester"]),
        .executable(name: "MeshCtl", targets: ["MeshCtl"]),
        .library(name: "TradingCore", targets: ["TradingCore"]),
        .library(name: "TradingRun", targets: ["TradingRun"]),
        .library(name: "MeshKit", targets: ["MeshKit"]),
        .library(name: "MeshServices", targets: ["MeshServices"]),
        .library(name: "Forecast", targets: ["Forecast"]),
        .library(name: "Brokers", targets: ["Brokers"]),
        .library(name: "IBKRProtocol", targets: ["IBKRProtocol"]),
        .library(name: "IBKRConnection", targets: ["IBKRConnection"]),
        .executable(name: "TWSSim", targets: ["TWSSim"]),
        .library(name: "TWSSimulator", targets: ["TWSSimulator"]),
        .library(name: "IBKRBroker", targets: ["IBKRBroker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZMQ",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(name: "Journal", dependencies: ["CSQLite", "TradingCore", "TradingRun"]),
        .target(
            name: "TradingCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "TradingRun",
            dependencies: [
                "TradingCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "MeshKit",
            dependencies: [
                "CZMQ",
                "CMalloc",
                "TradingCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "MeshServices",
            dependencies: [
                "MeshKit",
                "Journal",
                "TradingCore",
                "TradingRun",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .systemLibrary(
            name: "CHDF5",
            providers: [.apt(["libhdf5-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .target(
            name: "Forecast",
            dependencies: [
                "TradingCore",
                "TradingRun",
                "CHDF5",
                "COpenBLAS",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Brokers",
            dependencies: [
                "TradingCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "IBKRProtocol"),
        .target(name: "IBKRConnection",
                dependencies: ["IBKRProtocol", .product(name: "Logging", package: "swift-log")]),
        .target(name: "TWSSimulator",
                dependencies: ["IBKRProtocol", "TradingCore", "TradingRun", .product(name: "Yams", package: "Yams"),
                               .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "TWSSim",
                          dependencies: ["TWSSimulator", "TradingRun", .product(name: "Logging", package: "swift-log"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "IBKRBroker",
                dependencies: ["Brokers", "IBKRConnection", "IBKRProtocol", "TradingCore",
                               .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "MeshCLI",
            dependencies: [
                "MeshKit",
                "MeshServices",
                "TradingCore",
                "TradingRun",
                .product(name: "Yams", package: "Yams"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "DataSvc", dependencies: ["MeshCLI", "MeshKit", "MeshServices", "TradingCore", "TradingRun", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "PredictSvc", dependencies: ["MeshCLI", "MeshKit", "MeshServices", "TradingCore", "TradingRun", "Forecast", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "StrategySvc", dependencies: ["MeshCLI", "MeshKit", "MeshServices", "TradingCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "ExecSvc", dependencies: ["MeshCLI", "MeshKit", "MeshServices", "Brokers", "IBKRBroker", "Forecast", "Journal", "TradingCore", "TradingRun", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"), .product(name: "UnixSignals", package: "swift-service-lifecycle")]),
        .executableTarget(name: "MeshCtl", dependencies: ["MeshCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "Backtester",
            dependencies: [
                "TradingCore",
                "TradingRun",
                "MeshServices",
                "Forecast",
                "MeshCLI",
                "MeshKit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "BusBench",
            dependencies: ["MeshKit", "TradingCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/BusBench"
        ),
        .executableTarget(
            name: "EngineBench",
            dependencies: ["TradingCore", "TradingRun", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/EngineBench"
        ),
        .executableTarget(
            name: "ForecastBench",
            dependencies: [
                "Forecast", "TradingCore", "TradingRun",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ForecastBench"
        ),
        .executableTarget(
            name: "JournalBench",
            dependencies: ["Journal", "TradingCore", "TradingRun", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/JournalBench"
        ),
        .executableTarget(
            name: "LoadBench",
            dependencies: ["TradingCore", "TradingRun", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/LoadBench"
        ),
        .target(
            name: "TestSupport",
            dependencies: ["MeshKit", "TradingCore", "IBKRProtocol", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "TradingCoreTests", dependencies: ["TradingCore", "TradingRun", "TestSupport"]),
        .testTarget(name: "TradingRunTests",
                    dependencies: ["TradingRun", "TradingCore", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "BrokersTests", dependencies: ["Brokers", "TradingCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "IBKRProtocolTests", dependencies: ["IBKRProtocol", "TestSupport"]),
        .testTarget(name: "IBKRConnectionTests",
                    dependencies: ["IBKRConnection", "IBKRProtocol", "TestSupport",
                                   .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "TWSSimulatorTests",
                    dependencies: ["TWSSimulator", "IBKRProtocol", "IBKRConnection", "TradingCore", "TestSupport",
                                   .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "TWSSimInteropTests", dependencies: ["TestSupport"], path: "Tests/TWSSimInteropTests"),
        .testTarget(name: "IBKRBrokerTests",
                    dependencies: ["IBKRBroker", "Brokers", "IBKRConnection", "IBKRProtocol", "TradingCore", "TestSupport",
                                   .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "TradingCore", "TradingRun"]),
        .testTarget(name: "BacktesterTests",
                    dependencies: ["Backtester", "MeshKit", "TradingCore", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ForecastTests",
                    dependencies: ["Forecast", "TradingCore", "TradingRun", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "MeshKitTests", dependencies: ["MeshKit", "TradingCore", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "MeshServicesTests",
                    dependencies: ["MeshServices", "MeshKit", "TradingCore", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "MeshCLITests",
                    dependencies: ["MeshCLI", "MeshKit", "TradingCore", "TestSupport", .product(name: "Logging", package: "swift-log")]),
    ],
    swiftLanguageModes: [.v6]
)
