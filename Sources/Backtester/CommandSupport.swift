import ArgumentParser
import Forecast
import Foundation
import Logging
import TradingCore
import TradingRun

/// Logging, error reporting and version lookup shared by the Backtester's commands.
enum CommandSupport {

    /// Logs to stderr at the level in `TRADEMESH_LOG_LEVEL` (default `warning`, so stdout stays the summary).
    static func bootstrapLogger(label: String) -> Logger {
        let level = ProcessInfo.processInfo.environment["TRADEMESH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: label)
        logger.logLevel = level ?? .warning
        return logger
    }

    /// Runs `body`, turning the project's errors into one clear line on stderr and exit code 1.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CustomStringConvertible & Error {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Runs a config's `model:` directory: loads (and verifies) the model and predicts every bar.
    static let modelProvider: ModelPredictionProvider = ModelRegistryEntry.predictionProvider

    /// Verifies a config's `model:` directory and describes it, without predicting.
    static let modelManifestProvider: ModelManifestProvider = ModelRegistryEntry.manifestProvider

    static func codeVersion() -> String { CodeVersion.current() }
}
