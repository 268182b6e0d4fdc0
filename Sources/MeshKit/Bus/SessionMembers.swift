import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The processes connected to a bus session, registered beside its ipc frontend: every `BusConnection` whose
/// frontend is `ipc://PATH` writes `PATH.members/<pid>` (its service name and executable) when it starts and removes
/// it when it stops. `MeshCtl down` reads the directory, so that a service restarted by hand into a session started
/// by `MeshCtl up` is stopped with it instead of outliving it. A file left by a process that died is recognised
/// (no live process with that pid and executable) and removed. Sessions on tcp endpoints have no registry.
public enum SessionMembers {
    /// One registered process.
    public struct Member: Sendable, Equatable {
        public var pid: Int32
        public var name: String
        public var executable: String
    }

    /// The registry directory of a session whose frontend is `frontend`; nil unless it is an ipc endpoint.
    public static func directory(frontend: String) -> String? {
        guard let path = EndpointLock.socketPath(of: frontend), path.hasPrefix("/") else { return nil }
        return path + ".members"
    }

    /// Registers this process as `name`; returns the file to remove when it leaves (nil: no registry).
    static func register(frontend: String, name: String) -> String? {
        guard let directory = directory(frontend: frontend) else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
            let file = directory + "/\(getpid())"
            try Data("\(name)\n\(executable)\n".utf8).write(to: URL(fileURLWithPath: file))
            return file
        } catch {
            return nil   // a registry that cannot be written only costs `down` its reach, never the service
        }
    }

    /// Every registered process of the session, dead ones included (check with the pid and the executable).
    public static func list(frontend: String) -> [Member] {
        guard let directory = directory(frontend: frontend),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.compactMap { file -> Member? in
            guard let pid = Int32(file), let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            else { return nil }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            return Member(pid: pid, name: lines.first ?? "?", executable: lines.count > 1 ? lines[1] : "")
        }.sorted { $0.pid < $1.pid }
    }

    /// Removes `member`'s registration (it has stopped, or it was left by a process that died).
    public static func remove(_ member: Member, frontend: String) {
        guard let directory = directory(frontend: frontend) else { return }
        unlink(directory + "/\(member.pid)")
    }
}
