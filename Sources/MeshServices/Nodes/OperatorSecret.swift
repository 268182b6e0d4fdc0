import Foundation
import MeshKit
import TradingCore
import TradingRun

#if canImport(Glibc)
import Glibc
#endif

/// The operator's secret of a local mesh: who may lift the kill switch.
///
/// Anyone on the local bus may engage the kill switch (it fails safe); releasing it (`ctl.resume`) needs proof of
/// this secret. It is a random 256-bit token in a file only its owner can read (mode 0600), by default beside the
/// bus's ipc sockets (`<run dir>/operator.secret`), created by the first execution service that starts there and
/// kept across restarts. `MeshCtl resume` reads it and sends, instead of the token, an HMAC-SHA256 over the request
/// (its source, sequence number, `ts_init` and reason); the execution service recomputes it and refuses a request
/// whose proof differs or whose `ts_init` is not after the last accepted one (a replayed capture). Rules:
/// docs/risk.md.
public struct OperatorSecret: Sendable {
    /// The file's name in the run directory.
    public static let fileName = "operator.secret"

    public let path: String
    private let key: [UInt8]

    /// The secret's file for a mesh: `explicit` when given, else `TRADEMESH_OPERATOR_SECRET`, else `operator.secret`
    /// in the directory of the bus's ipc frontend (for a tcp bus, the default run directory's).
    public static func path(explicit: String?, endpoints: MeshEndpoints, environment: [String: String]) -> String {
        if let explicit { return explicit }
        if let path = environment["TRADEMESH_OPERATOR_SECRET"], !path.isEmpty { return path }
        let frontend = endpoints.frontend.hasPrefix("ipc://") ? endpoints.frontend : MeshEndpoints.defaultFrontend
        let socket = String(frontend.dropFirst("ipc://".count))
        return (socket as NSString).deletingLastPathComponent + "/" + fileName
    }

    /// Reads the secret at `path`, creating it (0600, with its directory) when there is none.
    public static func loadOrCreate(path: String) throws -> OperatorSecret {
        if FileManager.default.fileExists(atPath: path) { return try load(path: path) }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }
            .map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            // Another service created it first: use theirs.
            if errno == EEXIST { return try load(path: path) }
            throw MeshError.config("operator secret \(path): cannot create it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array((token + "\n").utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            throw MeshError.config("operator secret \(path): cannot write it: \(String(cString: strerror(errno)))")
        }
        return OperatorSecret(path: path, key: Array(token.utf8))
    }

    /// Reads the secret at `path`; refuses a file others can read or write, or one owned by another user.
    public static func load(path: String) throws -> OperatorSecret {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw MeshError.config("operator secret \(path): \(String(cString: strerror(errno))) (it is created by "
                                   + "ExecSvc; give --operator-secret FILE to name another)")
        }
        guard info.st_uid == getuid(), info.st_mode & 0o077 == 0 else {
            throw MeshError.config("operator secret \(path): must belong to this user and be readable by it alone "
                                   + "(chmod 600)")
        }
        guard let data = FileManager.default.contents(atPath: path),
              let token = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              token.utf8.count >= 32 else {
            throw MeshError.config("operator secret \(path): expected a token of at least 32 characters")
        }
        return OperatorSecret(path: path, key: Array(token.utf8))
    }

    /// A secret with this token (tests).
    public init(token: String, path: String = "") {
        self.init(path: path, key: Array(token.utf8))
    }

    private init(path: String, key: [UInt8]) {
        self.path = path
        self.key = key
    }

    /// The proof that a resume request comes from the operator: HMAC-SHA256 (hex) over its source, sequence
    /// number, `ts_init` and reason, each ending in a newline.
    public func proof(source: String, seq: UInt64, tsInit: Int64, reason: String) -> String {
        hmac(Array("resume\n\(source)\n\(seq)\n\(tsInit)\n\(reason)\n".utf8))
    }

    /// Whether `envelope` is a resume request carrying this secret's proof.
    public func verifies(_ envelope: Envelope) -> Bool {
        guard case .resume(let reason, let proof) = envelope.message else { return false }
        let expected = self.proof(source: envelope.source, seq: envelope.seq, tsInit: envelope.tsInit, reason: reason)
        // Compared in constant time: the time taken tells nothing about how much of a guess was right.
        let a = Array(expected.utf8), b = Array(proof.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// HMAC-SHA256 (RFC 2104) of `message` under the key, in hex.
    private func hmac(_ message: [UInt8]) -> String {
        let blockSize = 64
        var block = key.count > blockSize ? Self.digest(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5c })
        outer.update(Self.bytes(hex: inner.finalizeHex()))
        return outer.finalizeHex()
    }

    private static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var h = SHA256()
        h.update(bytes)
        return self.bytes(hex: h.finalizeHex())
    }

    private static func bytes(hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { i in
            UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16) ?? 0
        }
    }
}
