import LoupeSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A bounded multi-producer, single-consumer queue of items, moved in batches.
///
/// Producers block while the queue holds `capacity` items (the kernel ring buffer then fills
/// and the kernel counts what it loses); the consumer takes everything at once.
final class BoundedQueue<Item>: @unchecked Sendable {
    private let monitor = ConditionLock()
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
