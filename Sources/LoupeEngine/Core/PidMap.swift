/// A hash map from process ids to values, for the process tree's two lookups per event.
///
/// Open addressing with linear probing and a multiplicative hash: a pid lookup is a multiply, a
/// shift and usually one comparison, where `Dictionary` runs SipHash (seeded per process, which
/// a table of the kernel's own small integers does not need: the worst a crafted pid set can do
/// is lengthen probe runs within the few thousand live processes). Deletion shifts the following
/// run back, so there are no tombstones and lookups stay short under churn.
struct PidMap<Value>: Sendable where Value: Sendable {
    private var keys: [UInt32]
    private var occupied: [Bool]
    /// Empty slots hold `placeholder`, so that a slot's value can be read and changed in place
    /// (an optional would be unwrapped into a copy).
    private var values: [Value]
    private let placeholder: Value
    private var shift: Int
    private(set) var count = 0

    init(placeholder: Value) {
        self.placeholder = placeholder
        keys = [UInt32](repeating: 0, count: 64)
        occupied = [Bool](repeating: false, count: 64)
        values = [Value](repeating: placeholder, count: 64)
        shift = 64 - 6
    }

    private var mask: Int { keys.count - 1 }

    @inline(__always) private func home(_ key: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    /// The slot holding `key`, if present.
    @inline(__always) func slot(of key: UInt32) -> Int? {
        var i = home(key)
        while occupied[i] {
            if keys[i] == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    /// The value in a slot `slot(of:)` returned; valid until the map is next changed by key.
    subscript(slot slot: Int) -> Value {
        _read { yield values[slot] }
        _modify { yield &values[slot] }
    }

    subscript(key: UInt32) -> Value? {
        get { slot(of: key).map { values[$0] } }
        set {
            if let newValue {
                insert(key, newValue)
            } else if let i = slot(of: key) {
                remove(at: i)
            }
        }
    }

    private mutating func insert(_ key: UInt32, _ value: Value) {
        if let i = slot(of: key) {
            values[i] = value
            return
        }
        if (count + 1) * 2 > keys.count { grow() }
        var i = home(key)
        while occupied[i] { i = (i + 1) & mask }
        keys[i] = key
        occupied[i] = true
        values[i] = value
        count += 1
    }

    /// Empties slot `i` and moves later entries of its probe run back into the gap.
    private mutating func remove(at slot: Int) {
        var gap = slot
        var i = slot
        while true {
            i = (i + 1) & mask
            guard occupied[i] else { break }
            let ideal = home(keys[i])
            // Entry i may fill the gap only if its home is not in (gap, i] (cyclically).
            let homeAfterGap = gap <= i ? (ideal > gap && ideal <= i) : (ideal > gap || ideal <= i)
            if homeAfterGap { continue }
            keys[gap] = keys[i]
            values.swapAt(gap, i)
            gap = i
        }
        occupied[gap] = false
        values[gap] = placeholder
        count -= 1
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldOccupied = occupied
        let oldValues = values
        let capacity = keys.count * 2
        keys = [UInt32](repeating: 0, count: capacity)
        occupied = [Bool](repeating: false, count: capacity)
        values = [Value](repeating: placeholder, count: capacity)
        shift -= 1
        count = 0
        for i in oldKeys.indices where oldOccupied[i] { insert(oldKeys[i], oldValues[i]) }
    }
}
