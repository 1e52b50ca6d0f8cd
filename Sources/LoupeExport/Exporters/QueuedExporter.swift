/// How a network exporter puts one batch on the wire. Only the exporter's worker thread calls it,
/// so implementations may keep connections without locking.
protocol Delivery: AnyObject {
    /// The most alerts one attempt carries.
    var maxBatch: Int { get }
    /// Delivers the whole batch by `deadline` (monotonic ns) or throws.
    func deliver(_ batch: ArraySlice<ExportedAlert>, deadline: Int64) throws(TransportError)
    /// Forgets any open connection after a failure.
    func reset()
}

/// Queue settings for a network exporter.
public struct QueueSettings: Sendable, Hashable {
    /// Alerts held while the worker is busy; more are dropped and counted.
    public var capacity: Int
    /// Time one attempt may take (connect, send, response).
    public var attemptTimeout: Duration
    public var retry: RetryPolicy

    public init(capacity: Int = 10_000, attemptTimeout: Duration = .seconds(5), retry: RetryPolicy = RetryPolicy()) {
        self.capacity = max(1, capacity)
        self.attemptTimeout = attemptTimeout
        self.retry = retry
    }
}

/// A network exporter: `send` appends to a bounded queue and returns at once; a worker thread
/// takes batches off it and delivers them with retries and backoff.
///
/// Accounting: an alert is `dropped` if it never reaches the worker (queue full, or still queued
/// when `close` gives up), `sent` once an attempt succeeds, `failed` once the last allowed attempt
/// fails or the error is not worth retrying.
public final class QueuedExporter: AlertExporter, @unchecked Sendable {
    public let name: String
    private let delivery: any Delivery
    private let settings: QueueSettings
    private let condition = Condition()
    // Everything below is guarded by `condition`.
    private var queue: [ExportedAlert] = []
    private var queueHead = 0
    private var inFlight = 0
    private var closing = false
    private var aborted = false
    private var workerRunning = false
    private var stats = ExportStatistics()

    init(name: String, delivery: any Delivery, settings: QueueSettings) {
        self.name = name
        self.delivery = delivery
        self.settings = settings
        let started = startDetachedThread(name: "loupe-export") { [self] in run() }
        condition.withLock {
            workerRunning = started
            if !started { stats.lastError = "could not start the exporter thread" }
        }
    }

    private var queued: Int { queue.count - queueHead }

    public func send(_ alerts: [ExportedAlert]) {
        guard !alerts.isEmpty else { return }
        condition.withLock {
            guard !closing, workerRunning else {
                stats.dropped += UInt64(alerts.count)
                return
            }
            let room = max(0, settings.capacity - queued)
            if room >= alerts.count {
                queue += alerts
            } else {
                queue += alerts.prefix(room)
                stats.dropped += UInt64(alerts.count - room)
            }
            condition.broadcast()
        }
    }

    @discardableResult public func flush(timeout: Duration) -> Bool {
        let deadline = monotonicNow() + timeout.nanoseconds
        return condition.withLock {
            while (queued > 0 || inFlight > 0) && workerRunning && monotonicNow() < deadline {
                condition.wait(until: deadline)
            }
            return queued == 0 && inFlight == 0
        }
    }

    @discardableResult public func close(timeout: Duration) -> ExportStatistics {
        condition.withLock {
            closing = true
            condition.broadcast()
        }
        let drained = flush(timeout: timeout)
        return condition.withLock {
            if !drained {
                aborted = true
                stats.dropped += UInt64(queued)
                queue.removeAll()
                queueHead = 0
                condition.broadcast()
            }
            return stats
        }
    }

    public var statistics: ExportStatistics { condition.withLock { stats } }

    // MARK: Worker

    private func run() {
        while let batch = nextBatch() {
            let outcome = deliverWithRetries(batch)
            condition.withLock {
                inFlight = 0
                switch outcome {
                case .success: stats.sent += UInt64(batch.count)
                case .failure(let error):
                    stats.failed += UInt64(batch.count)
                    stats.lastError = error.description
                }
                condition.broadcast()
            }
        }
        condition.withLock {
            workerRunning = false
            condition.broadcast()
        }
    }

    /// Waits for work; nil once closed and drained, or aborted.
    private func nextBatch() -> [ExportedAlert]? {
        condition.withLock {
            while queued == 0 && !closing && !aborted {
                condition.wait(until: monotonicNow() + 1_000_000_000)
            }
            guard !aborted, queued > 0 else { return nil }
            let n = min(delivery.maxBatch, queued)
            let batch = Array(queue[queueHead..<(queueHead + n)])
            queueHead += n
            inFlight = n
            // Compact once the consumed prefix dominates, so the array does not grow forever.
            if queueHead > 1024 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            return batch
        }
    }

    private func deliverWithRetries(_ batch: [ExportedAlert]) -> Result<Void, TransportError> {
        let policy = settings.retry
        let start = monotonicNow()
        let giveUpAt = start + policy.maxTotal.nanoseconds
        var attempt = 1
        while true {
            let deadline = min(monotonicNow() + settings.attemptTimeout.nanoseconds, max(giveUpAt, monotonicNow()))
            do {
                try delivery.deliver(batch[...], deadline: deadline)
                return .success(())
            } catch {
                delivery.reset()
                let wait = policy.backoff(after: attempt).nanoseconds
                guard error.isRetryable, attempt < policy.maxAttempts, monotonicNow() + wait < giveUpAt else {
                    return .failure(error)
                }
                let stop = condition.withLock {
                    stats.retried += 1
                    let wakeAt = monotonicNow() + wait
                    while !aborted && monotonicNow() < wakeAt { condition.wait(until: wakeAt) }
                    return aborted
                }
                if stop { return .failure(error) }
                attempt += 1
            }
        }
    }
}
