public import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// Reads what a capture header says about the node.
public enum HostInspector {
    /// Host name, node name (`NODE_NAME` when set, else the host name), kernel release, boot
    /// id, the mount namespace of PID 1 and a fresh clock anchor.
    ///
    /// - Parameter environment: looked up for `NODE_NAME` (tests pass their own).
    public static func hostInfo(
        captureOptions: [Label] = [], environment: (String) -> String? = { environmentValue($0) }
    ) -> HostInfo {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        }
        let hostname = field(names.nodename)
        let nodeName = environment("NODE_NAME").flatMap { $0.isEmpty ? nil : $0 } ?? hostname
        let anchor = Clocks.anchor()
        return HostInfo(
            hostname: hostname, nodeName: nodeName, kernelRelease: field(names.release),
            bootID: ProcFS.text("/proc/sys/kernel/random/boot_id") ?? "", hostMntns: hostMountNamespace() ?? 0,
            clock: ClockAnchor(bootTime: anchor.bootTime, wallTime: anchor.wallTime), captureOptions: captureOptions)
    }

    /// The mount namespace of PID 1: events in it are host events.
    ///
    /// Some init processes cannot be inspected even by root (a sandbox's PID 1 marked
    /// non-dumpable); kthreadd (PID 2) always lives in the initial mount namespace and stands
    /// in for it then.
    public static func hostMountNamespace() -> UInt64? {
        ProcFS.inode("/proc/1/ns/mnt") ?? ProcFS.inode("/proc/2/ns/mnt")
    }

    /// The mount namespace of a process.
    public static func mountNamespace(of pid: UInt32) -> UInt64? { ProcFS.inode("/proc/\(pid)/ns/mnt") }

    /// The network namespace of a process.
    public static func networkNamespace(of pid: UInt32) -> UInt64? { ProcFS.inode("/proc/\(pid)/ns/net") }
}

/// The value of an environment variable of this process.
public func environmentValue(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}
