#if canImport(Glibc)
import Glibc
#endif

/// The source of `ts_init` stamps. Services take one by injection: live services use `SystemMeshClock`, replays
/// and tests a virtual clock.
public protocol MeshClock: Sendable {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    func nowNanoseconds() -> Int64
}

/// Wall-clock time (CLOCK_REALTIME), for live services only.
public struct SystemMeshClock: MeshClock {
    public init() {}

    public func nowNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
