internal import CLoupeBPF
public import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// How the eBPF tracers are set up.
public struct TracerOptions: Sendable {
    /// Event types to trace; types the kernel side does not produce are ignored.
    public var eventTypes: Set<EventType> = Set(KernelEventType.allCases.filter { $0 != .syscall }.map(\.eventType))
    /// Ring buffer bytes (a power of two); 0 for the default (16 MiB).
    public var ringBytes: UInt32 = 0
    /// Wake the reader once this much is queued; 0 for the default (256 KiB).
    public var wakeupBytes: UInt32 = 0
    /// Open paths (as given by the caller) with these prefixes are not recorded (first 64 bytes).
    public var excludedOpenPrefixes: [String] = []
    /// Also emit fork records for new threads.
    public var forkThreads = false
    /// The kernel's mount-namespace filter: the mode is in force from the first record, the
    /// namespaces are in the map right after the programs attach (before `init` returns).
    public var mountNamespaceMode: MountNamespaceFilter = .all
    public var mountNamespaces: [UInt64] = []

    public init() {}

    /// The `enabled` mask of the kernel side.
    var mask: UInt64 {
        eventTypes.compactMap(KernelEventType.init).reduce(0) { $0 | $1.maskBit }
    }
}

/// Why the tracers could not start.
public enum TracerError: Error, CustomStringConvertible, Sendable {
    /// Not root, or without CAP_BPF/CAP_PERFMON (or CAP_SYS_ADMIN).
    case notPrivileged
    /// /sys/kernel/btf/vmlinux is missing: CO-RE programs cannot be relocated.
    case noBTF
    /// No event type to trace.
    case nothingToTrace
    /// libbpf or the kernel refused: errno and libbpf's explanation.
    case loadFailed(errno: Int32, detail: String)

    public var description: String {
        switch self {
        case .notPrivileged:
            "capture needs root (or CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) to load eBPF programs"
        case .noBTF:
            "this kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing); capture needs CONFIG_DEBUG_INFO_BTF"
        case .nothingToTrace: "no event type selected"
        case .loadFailed(let code, let detail):
            "could not load the eBPF tracers (\(String(cString: strerror(code)))): \(detail)"
        }
    }

    /// Checks privileges and BTF before libbpf is asked, for a clear message.
    public static func preflight(btfPath: String = "/sys/kernel/btf/vmlinux") throws(TracerError) {
        if geteuid() != 0 {
            let effective = effectiveCapabilities()
            let bpf: UInt64 = 1 << 39
            let perfmon: UInt64 = 1 << 38
            let sysAdmin: UInt64 = 1 << 21
            guard effective & sysAdmin != 0 || (effective & bpf != 0 && effective & perfmon != 0) else {
                throw .notPrivileged
            }
        }
        guard ProcFS.exists(btfPath) else { throw .noBTF }
    }

    /// The CapEff mask of this process.
    static func effectiveCapabilities() -> UInt64 {
        guard let status = ProcFS.text("/proc/self/status") else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            return UInt64(line.dropFirst(7).trimmingPrefix(while: { $0 == " " || $0 == "\t" }), radix: 16) ?? 0
        }
        return 0
    }
}

/// Loupe's eBPF programs, attached while this object lives: the owner of the `loupe_bpf` handle.
///
/// One thread calls `poll`; records reach `onRecord` on that thread, valid only during the call.
public final class KernelTracer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let sink: Unmanaged<RecordSink>

    /// Loads and attaches the programs of `options.eventTypes`.
    public init(
        options: TracerOptions, onRecord: @escaping (UnsafeRawBufferPointer) -> Void
    ) throws(TracerError) {
        let mask = options.mask
        guard mask != 0 else { throw .nothingToTrace }
        var raw = loupe_bpf_options()
        raw.enabled = mask
        raw.ring_bytes = options.ringBytes
        raw.wakeup_bytes = options.wakeupBytes
        raw.flags = options.forkThreads ? UInt32(LOUPE_CFG_FORK_THREADS) : 0
        raw.mntns_mode = options.mountNamespaceMode.kernelValue
        let sink = Unmanaged.passRetained(RecordSink(onRecord))
        var out: OpaquePointer?
        var message = [CChar](repeating: 0, count: 4096)
        let result = loupe_bpf_start(
            &raw,
            { user, data, length in
                guard let user, let data else { return 0 }
                Unmanaged<RecordSink>.fromOpaque(user).takeUnretainedValue().deliver(
                    UnsafeRawBufferPointer(start: data, count: length))
                return 0
            }, sink.toOpaque(), &out, &message, message.count)
        guard result == 0, let out else {
            sink.release()
            let detail = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            if result == -EPERM || result == -EACCES { throw .notPrivileged }
            throw .loadFailed(errno: -result, detail: detail)
        }
        self.handle = out
        self.sink = sink
        for prefix in options.excludedOpenPrefixes where !prefix.isEmpty {
            _ = loupe_bpf_open_exclude_add(handle, prefix)
        }
        for mntns in options.mountNamespaces { addFilteredNamespace(mntns) }
    }

    deinit {
        loupe_bpf_stop(handle)
        sink.release()
    }

    /// Waits up to `milliseconds` and delivers every queued record: the count, or -errno.
    @discardableResult
    public func poll(milliseconds: Int32) -> Int32 { loupe_bpf_poll(handle, milliseconds) }

    /// Number of attached programs.
    public var programCount: Int { Int(loupe_bpf_program_count(handle)) }

    /// The kernel's loss counters, summed over CPUs.
    public func dropCounters() -> DropCounters {
        var slots = [UInt64](repeating: 0, count: DropCounters.typeSlots * DropCounters.reasonCount)
        _ = loupe_bpf_read_drops(handle, &slots, slots.count)
        return DropCounters(slots: slots)
    }

    /// Records only `namespaces` (include), all but them (exclude), or everything.
    public func setMountNamespaceFilter(_ mode: MountNamespaceFilter) {
        _ = loupe_bpf_set_mntns_mode(handle, mode.kernelValue)
    }

    public func addFilteredNamespace(_ mntns: UInt64) {
        _ = loupe_bpf_mntns_add(handle, UInt32(truncatingIfNeeded: mntns))
    }
    public func removeFilteredNamespace(_ mntns: UInt64) {
        _ = loupe_bpf_mntns_remove(handle, UInt32(truncatingIfNeeded: mntns))
    }
}

/// How the kernel's mount-namespace filter map is applied.
public enum MountNamespaceFilter: String, Sendable {
    case all, include, exclude

    /// The kernel side's `enum loupe_mntns_mode`.
    var kernelValue: UInt32 {
        switch self {
        case .all: UInt32(LOUPE_MNTNS_ALL.rawValue)
        case .include: UInt32(LOUPE_MNTNS_INCLUDE.rawValue)
        case .exclude: UInt32(LOUPE_MNTNS_EXCLUDE.rawValue)
        }
    }
}

private final class RecordSink {
    let deliver: (UnsafeRawBufferPointer) -> Void
    init(_ deliver: @escaping (UnsafeRawBufferPointer) -> Void) { self.deliver = deliver }
}

/// The kernel's per-(reason, type) loss counters at one instant.
///
/// Counters only grow; `dropRecords(since:timestamp:)` turns the growth between two readings
/// into drop records.
public struct DropCounters: Equatable, Sendable {
    /// `slots[reason * typeSlots + type]`.
    public var slots: [UInt64]
    public static let typeSlots = Int(LOUPE_EV_MAX.rawValue)
    public static let reasonCount = Int(LOUPE_DROP_REASON_MAX.rawValue)

    public init(slots: [UInt64] = [UInt64](repeating: 0, count: DropCounters.typeSlots * DropCounters.reasonCount)) {
        self.slots = slots
    }

    /// Why records were lost or damaged, as the kernel counts them.
    public enum Reason: Int, CaseIterable, Sendable {
        case ringBuffer = 0, truncated, inflight, failedRead

        public var name: String {
            switch self {
            case .ringBuffer: "ringbuf"
            case .truncated: "truncated"
            case .inflight: "inflight"
            case .failedRead: "read"
            }
        }

        var source: DropSource {
            switch self {
            case .ringBuffer, .inflight: .ringBuffer
            case .truncated, .failedRead: .truncation
            }
        }

        var detail: String {
            switch self {
            case .ringBuffer: "ring buffer full: records lost"
            case .truncated: "strings cut to fit: records delivered with the truncated flag"
            case .inflight: "syscall entry table full: records lost"
            case .failedRead: "kernel or user memory read failed: fields left empty"
            }
        }
    }

    public func count(_ reason: Reason, _ type: KernelEventType) -> UInt64 {
        let index = reason.rawValue * Self.typeSlots + Int(type.rawValue)
        return index < slots.count ? slots[index] : 0
    }

    /// Total per reason.
    public func total(_ reason: Reason) -> UInt64 {
        KernelEventType.allCases.reduce(0) { $0 &+ count(reason, $1) }
    }

    /// One drop record per (reason, type) whose counter grew since `previous`.
    public func dropRecords(since previous: DropCounters, timestamp: UInt64) -> [DropRecord] {
        var records: [DropRecord] = []
        for reason in Reason.allCases {
            for type in KernelEventType.allCases {
                let delta = count(reason, type) &- previous.count(reason, type)
                guard delta > 0, delta < 1 << 63 else { continue }
                records.append(
                    DropRecord(
                        timestamp: timestamp, source: reason.source, eventType: type.eventType, count: delta,
                        detail: "\(reason.name): \(reason.detail)"))
            }
        }
        return records
    }
}
