import ArgumentParser
import Foundation
import Logging
import MeshKit

/// Flags every mesh command shares: where the bus is and how much to log.
public struct MeshOptions: ParsableArguments {
    @Option(name: .customLong("mesh-config"), help: "Mesh config (YAML), default config/mesh.yaml when it exists.")
    public var meshConfig: String?

    @Option(name: .long, help: "Override the bus frontend endpoint (where services publish).")
    public var frontend: String?

    @Option(name: .long, help: "Override the bus backend endpoint (where services subscribe).")
    public var backend: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    public var logLevel: String = "info"

    @Option(name: .customLong("gaps"),
            help: "Services: on a sequence gap, 'report' (count, log, go on) or 'fatal' (exit 1; for replay).")
    public var gapPolicy: GapPolicy = .report

    public init() {}

    /// The endpoints: mesh config, then environment (`TRADEMESH_BUS_FRONTEND`…), then flags.
    public func endpoints() throws -> MeshEndpoints {
        let path = meshConfig ?? (FileManager.default.fileExists(atPath: "config/mesh.yaml") ? "config/mesh.yaml" : nil)
        var e = try MeshEndpoints.load(path: path, environment: ProcessInfo.processInfo.environment)
        if let frontend { e.frontend = frontend }
        if let backend { e.backend = backend }
        return e
    }

    /// Bootstraps swift-log to stderr once per process and returns a logger for `label`.
    public func logger(label: String) -> Logger {
        LoggingBootstrap.once
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}

enum LoggingBootstrap {
    static let once: Void = LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
}

/// Ends a command with a clear one-line error and exit code 1.
public func failing(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

extension GapPolicy: ExpressibleByArgument {}
