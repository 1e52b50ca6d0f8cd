#if canImport(Glibc)
    import Glibc
#endif

/// A joinable POSIX thread running one closure: blocking readers (ring buffer, fanotify)
/// get their own, so no task pool thread ever blocks.
final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private var started = false

    /// Starts `body` on a new thread named `name` (shown by `ps -L`, at most 15 bytes).
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: body)).toOpaque()
        started =
            pthread_create(
                &thread, nil,
                { raw in
                    let body = Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue()
                    // pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc lacks.
                    let descriptor = open("/proc/thread-self/comm", O_WRONLY)
                    if descriptor >= 0 {
                        _ = body.name.withCString { write(descriptor, $0, strlen($0)) }
                        close(descriptor)
                    }
                    body.body()
                    return nil
                }, box) == 0
        if !started { Unmanaged<ThreadBody>.fromOpaque(box).release() }
    }

    /// Lets the thread run to its end unobserved (its resources are freed when it ends).
    func detach() {
        guard started else { return }
        started = false
        pthread_detach(thread)
    }

    /// Waits for the thread to end.
    func join() {
        guard started else { return }
        started = false
        pthread_join(thread, nil)
    }
}

private final class ThreadBody {
    let name: String
    let body: @Sendable () -> Void
    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = String(name.prefix(15))
        self.body = body
    }
}

/// A mutex and condition variable pair: the one place that touches pthread locking.
final class Monitor: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
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

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// Waits (lock held) until signalled or `deadline` (CLOCK_MONOTONIC ns) passes.
    func wait(until deadline: UInt64) {
        var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_cond_timedwait(condition, mutex, &spec)
    }

    /// Waits (lock held) until signalled.
    func wait() { pthread_cond_wait(condition, mutex) }

    func broadcast() { pthread_cond_broadcast(condition) }
}

/// A bounded multi-producer, single-consumer queue of items, moved in batches.
///
/// Producers block while the queue holds `capacity` items (the kernel ring buffer then fills
/// and the kernel counts what it loses); the consumer takes everything at once.
final class BoundedQueue<Item>: @unchecked Sendable {
    private let monitor = Monitor()
    private var items: [Item] = []
    private var closed = false
    let capacity: Int
    /// Producer waits because the queue was full (for metrics).
    private(set) var stalls: UInt64 = 0

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(min(capacity, 1 << 16))
    }

    /// Adds `batch`, waiting while the queue is full; false once the queue is closed.
    @discardableResult
    func put(_ batch: [Item]) -> Bool {
        guard !batch.isEmpty else { return true }
        return monitor.locked {
            var stalled = false
            while !closed, items.count >= capacity {
                if !stalled {
                    stalls += 1
                    stalled = true
                }
                monitor.wait(until: Clocks.monotonic() + 100_000_000)
            }
            guard !closed else { return false }
            items.append(contentsOf: batch)
            monitor.broadcast()
            return true
        }
    }

    func put(_ item: Item) { put([item]) }

    /// Everything queued, waiting up to `timeout` ns for something to arrive.
    func takeAll(timeout: UInt64) -> [Item] {
        monitor.locked {
            if items.isEmpty, !closed { monitor.wait(until: Clocks.monotonic() + timeout) }
            let taken = items
            items.removeAll(keepingCapacity: true)
            monitor.broadcast()
            return taken
        }
    }

    /// Wakes blocked producers and refuses further items.
    func close() {
        monitor.locked {
            closed = true
            monitor.broadcast()
        }
    }
}
