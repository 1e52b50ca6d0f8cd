#if canImport(Glibc)
    import Glibc
#endif

/// A joinable POSIX thread running one closure: blocking work (the capture's ring-buffer,
/// fanotify and metrics loops, a capture stream's block decoders, `replay`'s node workers) gets
/// its own thread, so it never ties up a shared pool.
public final class PosixThread: @unchecked Sendable {
    private var thread = pthread_t()
    private var started = false

    /// Starts `body` on a new thread named `name` (shown by `ps -L`, at most 15 bytes); nil when
    /// the thread cannot be created (out of threads or memory).
    public init?(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: body)).toOpaque()
        started =
            pthread_create(
                &thread, nil,
                { raw in
                    let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
                    // pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module lacks.
                    let descriptor = open("/proc/thread-self/comm", O_WRONLY)
                    if descriptor >= 0 {
                        _ = body.name.withCString { write(descriptor, $0, strlen($0)) }
                        close(descriptor)
                    }
                    body.body()
                    return nil
                }, box) == 0
        if !started {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            return nil
        }
    }

    /// Lets the thread run to its end unobserved (its resources are freed when it ends).
    public func detach() {
        guard started else { return }
        started = false
        pthread_detach(thread)
    }

    /// Waits for the thread to end.
    public func join() {
        guard started else { return }
        started = false
        pthread_join(thread, nil)
    }

    /// A thread neither joined nor detached is joined when its owner lets go of it.
    deinit { join() }
}

private final class ThreadBody {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        self.body = body
    }
}

/// A mutex and condition variable pair, waiting against CLOCK_MONOTONIC. Both live in heap
/// storage this object owns, since pthread objects must not move.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    public func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Runs `body` with the mutex released; call with it held.
    public func unlocked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_unlock(mutex)
        defer { pthread_mutex_lock(mutex) }
        return try body()
    }

    /// Waits (mutex held) until signalled.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits (mutex held) until signalled or `deadline` (CLOCK_MONOTONIC ns) passes.
    public func wait(until deadline: UInt64) {
        var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_cond_timedwait(condition, mutex, &spec)
    }

    /// Wakes every waiter.
    public func broadcast() { pthread_cond_broadcast(condition) }
}

/// The number of CPUs online, at least 1.
public func onlineProcessorCount() -> Int {
    max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}
