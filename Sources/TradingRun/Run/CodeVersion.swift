import TradingCore
import Foundation

/// Identifies the code that produced a run, for manifests: the TradeMesh version plus the git commit of the
/// checkout the running binary was built in (`.build/…` lies inside it), when there is one; a binary installed
/// outside a checkout reports the version alone. Every executable that writes results uses it, so a replay's
/// manifest and an in-process run's manifest agree.
public enum CodeVersion {
    public static let release = "0.1.0"

    public static func current() -> String {
        guard let directory = Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent() else {
            return release
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
            return release
        }
        let commit = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !commit.isEmpty ? release + "+" + commit : release
    }
}
