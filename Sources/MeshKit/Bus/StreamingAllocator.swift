#if canImport(Glibc)
import CMalloc
#endif

/// Allocator settings for a process that streams messages.
///
/// A service allocates every outgoing message on its own thread and libzmq frees it on its I/O thread (and the
/// other way round for incoming ones), while the service keeps a growing history. With glibc's defaults the heap
/// "breathes": whenever 128 KiB at its top are free they go back to the kernel, and the next message takes fresh
/// pages, each one zeroed by the kernel on first touch. In a million-bar replay that churn cost a service more
/// time than decoding its messages. Keeping freed memory for reuse (and growing the heap in larger steps) removes
/// it; the memory a service holds is unchanged, only returned to the kernel later.
public enum StreamingAllocator {
    /// Applies the settings to the whole process; call once, early. Has no effect where glibc is not the
    /// allocator.
    public static func configure() {
        #if canImport(Glibc)
        _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
        _ = mallopt(M_TOP_PAD, 16 << 20)
        #endif
    }
}
