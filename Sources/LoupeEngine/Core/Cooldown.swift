/// Alert deduplication as upstream's rule cooldown, in event time.
///
/// A key is uniqueId + containerId + ruleId, concatenated as upstream does before hashing it with
/// md5 (the digest only shortens the key; the strings themselves give the same equal keys without
/// hashing every match). The first `afterCount` alerts of a key within the
/// window pass; later ones are suppressed. Every repeat inside the window renews it (the window
/// slides); a repeat after it expired starts afresh. At most `maxSize` keys are kept, the least
/// recently used evicted first.
public struct Cooldown: Sendable {
    private struct Entry {
        var key: String
        var count: Int64
        var expiry: Int64
        var newer: Int  // towards most recent; -1 none
        var older: Int
    }

    public let settings: CooldownSettings
    private var index: [String: Int] = [:]
    private var entries: [Entry] = []
    private var free: [Int] = []
    private var newest = -1
    private var oldest = -1

    public init(settings: CooldownSettings) { self.settings = settings }

    /// The key of a rule's alert: the text upstream digests.
    public static func key(uniqueId: String, containerId: String, ruleId: String) -> String {
        uniqueId + containerId + ruleId
    }

    /// How many keys are held.
    public var count: Int { index.count }

    /// Whether an alert for `key` at event time `time` (ns) passes; records it either way.
    public mutating func admit(key: String, time: Int64) -> Bool {
        if settings.disabled { return true }
        let duration = settings.durationNanoseconds
        if let i = index[key] {
            touch(i)
            if time < entries[i].expiry {
                entries[i].count += 1
                entries[i].expiry = time &+ duration
                return entries[i].count <= settings.afterCount
            }
            entries[i].count = 1
            entries[i].expiry = time &+ duration
            return settings.afterCount >= 1
        }
        if settings.maxSize > 0, index.count >= Int(settings.maxSize) { evictOldest() }
        let entry = Entry(key: key, count: 1, expiry: time &+ duration, newer: -1, older: newest)
        let i: Int
        if let slot = free.popLast() {
            entries[slot] = entry
            i = slot
        } else {
            entries.append(entry)
            i = entries.count - 1
        }
        if newest >= 0 { entries[newest].newer = i }
        newest = i
        if oldest < 0 { oldest = i }
        index[key] = i
        return settings.afterCount >= 1
    }

    private mutating func unlink(_ i: Int) {
        let e = entries[i]
        if e.newer >= 0 { entries[e.newer].older = e.older } else { newest = e.older }
        if e.older >= 0 { entries[e.older].newer = e.newer } else { oldest = e.newer }
    }

    private mutating func touch(_ i: Int) {
        guard newest != i else { return }
        unlink(i)
        entries[i].older = newest
        entries[i].newer = -1
        if newest >= 0 { entries[newest].newer = i }
        newest = i
        if oldest < 0 { oldest = i }
    }

    private mutating func evictOldest() {
        guard oldest >= 0 else { return }
        let i = oldest
        unlink(i)
        index[entries[i].key] = nil
        free.append(i)
    }
}
