import Foundation

/// A `TWSSim` process on 127.0.0.1, started on port 0 and found on the port it prints as its first line.
public struct TWSSimProcess: Sendable {
    /// The process.
    public let process: Process
    /// The port it listens on.
    public let port: Int

    /// The simulator did not print `listening 127.0.0.1:P` first.
    public struct DidNotStart: Error {
        /// What it printed instead.
        public let firstLine: String
    }

    /// Starts `TWSSim` over the sample NVDA hourly bars for account DU1234567, with `script` (YAML text) as its
    /// fault script when given.
    public static func launch(script: String? = nil, barMilliseconds: Int = 50) async throws -> TWSSimProcess {
        var arguments = ["--port", "0", "--data", DataFixtures.sample("NVDA_1h.csv"), "--symbol", "NVDA",
                         "--account", "DU1234567", "--bar-ms", String(barMilliseconds), "--log-level", "warning"]
        if let script {
            let path = FileManager.default.temporaryDirectory
                .appendingPathComponent("twssim-\(UUID().uuidString).yaml").path
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--script", path]
        }
        let output = Pipe()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.executable("TWSSim"))
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let line = await Task.detached { () -> String in
            var bytes: [UInt8] = []
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                bytes += chunk
            }
            return String(decoding: bytes, as: UTF8.self)
        }.value
        let prefix = "listening 127.0.0.1:"
        guard line.hasPrefix(prefix), let port = Int(line.dropFirst(prefix.count).prefix { $0.isNumber }) else {
            process.terminate()
            throw DidNotStart(firstLine: line)
        }
        return TWSSimProcess(process: process, port: port)
    }

    /// Stops the simulator and waits for it.
    public func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
