// swift-tools-version:6.2
import PackageDescription

/// TradeMesh: a trading system shaped as a ZeroMQ microservice mesh.
///
/// Layers (see docs/architecture.md):
/// - `CZMQ`: system library over Debian's libzmq.
/// - `CMalloc`: glibc's allocator settings (`mallopt`), which the services tune for streaming.
/// - `COpenBLAS`: system library over Debian's OpenBLAS (CBLAS), for the LSTM's matrix products.
/// - `TradingCore`: the domain — bars, predictions, strategies, execution model, metrics, manifest.
///   It never imports ZeroMQ, so the same code runs in-process, over the mesh and live.
/// - `MeshKit`: the bus — ZeroMQ wrapper, envelope codec, topics, service runner.
/// - Thin executables over those libraries.
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
        .library(name: "MeshKit", targets: ["MeshKit"]),
        .library(name: "Forecast", targets: ["Forecast"]),
        .library(name: "Brokers", targets: ["Brokers"]),
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
        .target(name: "Journal", dependencies: ["CSQLite", "TradingCore"]),
        .target(
            name: "TradingCore",
            dependencies: [
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
                "Journal",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
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
        .target(
            name: "MeshCLI",
            dependencies: [
                "MeshKit",
                "TradingCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(name: "DataSvc", dependencies: ["MeshCLI", "MeshKit", "TradingCore", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "PredictSvc", dependencies: ["MeshCLI", "MeshKit", "TradingCore", "Forecast", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "StrategySvc", dependencies: ["MeshCLI", "MeshKit", "TradingCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "ExecSvc", dependencies: ["MeshCLI", "MeshKit", "Brokers", "Forecast", "Journal", "TradingCore", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Logging", package: "swift-log"), .product(name: "UnixSignals", package: "swift-service-lifecycle")]),
        .executableTarget(name: "MeshCtl", dependencies: ["MeshCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(
            name: "Backtester",
            dependencies: [
                "TradingCore",
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
            dependencies: ["TradingCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/EngineBench"
        ),
        .executableTarget(
            name: "ForecastBench",
            dependencies: [
                "Forecast", "TradingCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ForecastBench"
        ),
        .executableTarget(
            name: "JournalBench",
            dependencies: ["Journal", "TradingCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/JournalBench"
        ),
        .executableTarget(
            name: "LoadBench",
            dependencies: ["TradingCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/LoadBench"
        ),
        .testTarget(name: "TradingCoreTests", dependencies: ["TradingCore"]),
        .testTarget(name: "BrokersTests", dependencies: ["Brokers", "TradingCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "TradingCore"]),
        .testTarget(name: "BacktesterTests", dependencies: ["Backtester", "MeshKit", "TradingCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "ForecastTests", dependencies: ["Forecast", "TradingCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "MeshKitTests", dependencies: ["MeshKit", "TradingCore", .product(name: "Logging", package: "swift-log")]),
    ],
    swiftLanguageModes: [.v6]
)
