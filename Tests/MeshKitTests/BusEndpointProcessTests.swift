import Foundation
import Testing
import TestSupport
@testable import MeshKit

#if canImport(Glibc)
import Glibc
#endif

/// Real processes on endpoints that cannot be used: they exit non-zero at once, naming the endpoint and the reason
/// (no hang in `zmq_ctx_term`); a second forwarder refuses to take over a running bus; a dead forwarder's socket
/// files do not keep the next one out.
@Suite(.timeLimit(.minutes(1))) struct BusEndpointProcessTests {
    /// Runs `arguments` of `executable` to its end (at most `seconds`); its status and stderr. A process still
    /// running then is killed and reported as status -1.
    static func run(_ executable: String, _ arguments: [String], endpoints: MeshEndpoints,
                    seconds: Double = 10) async throws -> (status: Int32, stderr: String) {
        let err = Pipe()
        let p = try TestSupport.launch(executable, arguments, endpoints: endpoints, stderr: err)
        guard await TestSupport.waitForExit(p, seconds: seconds) else {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return (-1, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        return (p.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test(arguments: [["DataSvc"], ["StrategySvc"], ["ExecSvc"], ["PredictSvc", "serve"], ["MeshCtl", "tap"],
                      ["MeshCtl", "pub", "ctl.kill", #"{"reason":"x"}"#]])
    func aServiceOnABogusEndpointExitsAtOnceNamingIt(command: [String]) async throws {
        let endpoints = MeshEndpoints(frontend: "bogus://x", backend: "bogus://y")
        let (status, stderr) = try await Self.run(command[0], Array(command.dropFirst()), endpoints: endpoints)
        #expect(status == 1, "\(command) hung or did not fail: \(stderr)")
        #expect(stderr.contains("bogus://"), "\(stderr)")
        #expect(stderr.contains("Protocol not supported"), "\(stderr)")
    }

    @Test func aForwarderOnAPortInUseExitsAtOnceNamingIt() async throws {
        // A listening TCP socket on a port the kernel picked: the forwarder's frontend cannot bind there.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { a in
                bind(fd, a, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, a, &length) == 0
            }
        }
        #expect(bound)
        let port = UInt16(bigEndian: address.sin_port)
        let busy = "tcp://127.0.0.1:\(port)"
        let (status, stderr) = try await Self.run("MeshCtl", ["proxy"], endpoints: MeshEndpoints(
            frontend: busy, backend: "tcp://127.0.0.1:*"))
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains("cannot bind the bus frontend at \(busy): Address already in use"), "\(stderr)")
    }

    @Test func aSecondForwarderRefusesToTakeTheBusOver() async throws {
        let endpoints = TestSupport.endpoints()
        let first = try TestSupport.launch("MeshCtl", ["proxy"], endpoints: endpoints)
        defer { first.terminate() }
        let frontendPath = EndpointLock.socketPath(of: endpoints.frontend)!
        #expect(await TestSupport.eventually { EndpointLock.isListening(frontendPath) })
        let (status, stderr) = try await Self.run("MeshCtl", ["proxy"], endpoints: endpoints)
        #expect(status == 1, "\(stderr)")
        #expect(stderr.contains("in use by a running bus forwarder (pid \(first.processIdentifier))"), "\(stderr)")
        #expect(stderr.contains(endpoints.frontend), "\(stderr)")
        // The first forwarder still carries the bus: a message goes through it.
        try await Self.expectCarries(endpoints, reason: "after the intruder")
    }

    @Test func aDeadForwardersSocketFilesDoNotKeepTheNextOneOut() async throws {
        let endpoints = TestSupport.endpoints()
        let first = try TestSupport.launch("MeshCtl", ["proxy"], endpoints: endpoints)
        let frontendPath = EndpointLock.socketPath(of: endpoints.frontend)!
        #expect(await TestSupport.eventually { EndpointLock.isListening(frontendPath) })
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: frontendPath))   // left behind
        let second = try TestSupport.launch("MeshCtl", ["proxy"], endpoints: endpoints)
        defer { second.terminate() }
        #expect(await TestSupport.eventually { EndpointLock.isListening(frontendPath) })
        try await Self.expectCarries(endpoints, reason: "through the next forwarder")
        #expect(second.isRunning)
    }

    /// A kill reason of 40,000 × "é" (80,000 bytes) goes from `MeshCtl pub` to `MeshCtl tap` whole.
    @Test func aReasonPastSixtyFiveKilobytesCrossesTheBusWhole() async throws {
        let endpoints = TestSupport.endpoints()
        let proxy = try TestSupport.launch("MeshCtl", ["proxy"], endpoints: endpoints)
        defer { proxy.terminate() }
        try await Self.expectCarries(endpoints, reason: String(repeating: "é", count: 40_000))
    }

    /// `MeshCtl pub ctl.kill` with `reason` arrives at a `MeshCtl tap`, the reason whole.
    static func expectCarries(_ endpoints: MeshEndpoints, reason: String) async throws {
        let out = Pipe()
        let tap = try TestSupport.launch("MeshCtl", ["tap", "ctl.kill", "--count", "1", "--timeout", "20"],
                                         endpoints: endpoints, stdout: out)
        defer { tap.terminate() }
        // Read as it comes: a line longer than the pipe's buffer would otherwise hold the tap up.
        let reader = out.fileHandleForReading
        let output = Task.detached { String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) }
        let pub = try TestSupport.launch("MeshCtl", ["pub", "ctl.kill", #"{"reason":"\#(reason)"}"#, "--wait", "15"],
                                         endpoints: endpoints)
        #expect(await TestSupport.waitForExit(pub, seconds: 20))
        #expect(pub.terminationStatus == 0)
        #expect(await TestSupport.waitForExit(tap, seconds: 20))
        #expect(tap.terminationStatus == 0)
        let line = await output.value
        #expect(line.contains(#""reason":"\#(reason)""#))
    }
}
