import ArgumentParser
import Forecast
import Foundation
import Logging
import TradingCore

/// Logging, error reporting and version lookup shared by the Backtester's commands.
enum CommandSupport {
    static let version = "0.1.0"

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
    static let modelProvider: ModelPredictionProvider = { path, bars in
        let entry = try ModelRegistryEntry.load(directory: path)
        return (ForecastPipeline.predict(entry, bars: bars),
                ModelManifest(path: path, fileHashes: entry.metadata.fileHashes,
                              hyperparametersSHA256: entry.hyperparametersSHA256))
    }

    /// The TradeMesh version plus the git commit of the checkout the binary was built in (`.build/…` lies inside
    /// it), when there is one; a binary installed outside a checkout reports the version alone.
    static func codeVersion() -> String {
        guard let directory = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() else {
            return version
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path, "rev-parse", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return version
        }
        let commit = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !commit.isEmpty ? version + "+" + commit : version
    }
}
