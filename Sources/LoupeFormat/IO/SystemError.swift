#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: which call, on what, and the errno it returned.
public struct SystemError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var path: String
    public var errno: Int32

    public init(call: String, path: String, errno: Int32) {
        self.call = call
        self.path = path
        self.errno = errno
    }

    public var isNoSpace: Bool { errno == ENOSPC || errno == EDQUOT }

    public var description: String {
        "\(path): \(call) failed: \(String(cString: strerror(errno)))"
    }
}

/// Calls `body` until it stops failing with EINTR; turns -1 into a `SystemError`.
@inline(__always)
func retryingInterrupts<T: BinaryInteger>(
    _ call: String, path: String, _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code != EINTR { throw SystemError(call: call, path: path, errno: code) }
    }
}
