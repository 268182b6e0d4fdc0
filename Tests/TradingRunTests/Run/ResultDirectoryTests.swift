import Foundation
import Testing
@testable import TradingCore
@testable import TradingRun

/// Result files are written aside and moved into place only when all are written; write errors say why.
@Suite(.timeLimit(.minutes(1))) struct ResultDirectoryTests {
    struct Planned: Error, CustomStringConvertible {
        var description: String { "planned failure" }
    }

    static func tempDir() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trademesh-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func contents(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test func aFullDeviceIsReportedWithTheReasonAndThePath() throws {
        let writer = try TextFileWriter(path: "/dev/full")
        writer.append(String(repeating: "x", count: 3 << 20))
        let error = try #require(throws: FileBytes.FileError.self) { try writer.close() }
        #expect(error.description == "/dev/full: write failed (No space left on device)")
        let small = try #require(throws: FileBytes.FileError.self) { try FileBytes.write("{}\n", to: "/dev/full") }
        #expect(small.description == "/dev/full: write failed (No space left on device)")
    }

    @Test func aFailedWriteLeavesNothingBehind() throws {
        let parent = Self.tempDir()
        let target = parent + "/run"
        let error = try #require(throws: FileBytes.FileError.self) {
            try ResultDirectory.write(to: target) { staging in
                try FileBytes.write("entry_time\n", to: staging + "/trades.csv")
                throw Planned()
            }
        }
        #expect(error.description == "cannot write the results to \(target): planned failure; nothing was written there")
        #expect(Self.contents(parent).isEmpty, "neither the directory nor its staging copy is left")
    }

    @Test func aNewDirectoryAppearsWhole() throws {
        let parent = Self.tempDir()
        let target = parent + "/deeper/run"
        let seen = try ResultDirectory.write(to: target) { staging in
            try FileBytes.write("a\n", to: staging + "/trades.csv")
            try FileBytes.write("b\n", to: staging + "/run.json")
            return FileManager.default.fileExists(atPath: target)
        }
        #expect(!seen, "the directory does not exist while its files are written")
        #expect(Self.contents(target) == ["run.json", "trades.csv"])
        #expect(Self.contents(parent + "/deeper") == ["run"])
    }

    @Test func anExistingDirectoryKeepsItsResultsUntilTheNewOnesAreWritten() throws {
        let target = Self.tempDir()
        for name in ["trades.csv", "run.json", "risk.csv", "notes.txt"] {
            try FileBytes.write("old \(name)\n", to: target + "/" + name)
        }
        #expect(throws: FileBytes.FileError.self) {
            try ResultDirectory.write(to: target) { staging in
                try FileBytes.write("new\n", to: staging + "/trades.csv")
                throw Planned()
            }
        }
        #expect(Self.contents(target) == ["notes.txt", "risk.csv", "run.json", "trades.csv"])
        #expect(try String(contentsOfFile: target + "/trades.csv", encoding: .utf8) == "old trades.csv\n")

        try ResultDirectory.write(to: target) { staging in
            try FileBytes.write("new\n", to: staging + "/trades.csv")
            try FileBytes.write("new\n", to: staging + "/run.json")
        }
        #expect(Self.contents(target) == ["notes.txt", "run.json", "trades.csv"], "a stale risk.csv is removed")
        #expect(try String(contentsOfFile: target + "/trades.csv", encoding: .utf8) == "new\n")
        #expect(try String(contentsOfFile: target + "/notes.txt", encoding: .utf8) == "old notes.txt\n")
    }

    @Test func aFileInTheWayIsNamed() throws {
        let parent = Self.tempDir()
        try FileBytes.write("x\n", to: parent + "/file")
        let error = try #require(throws: FileBytes.FileError.self) {
            try ResultDirectory.write(to: parent + "/file") { _ in }
        }
        #expect(error.description == "\(parent)/file: exists and is not a directory")
        let deeper = try #require(throws: FileBytes.FileError.self) {
            try ResultDirectory.write(to: parent + "/file/run") { _ in }
        }
        #expect(deeper.description.contains("\(parent)/file is not a directory"), "\(deeper)")
    }
}
