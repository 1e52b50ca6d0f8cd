/// Builds ring-buffer records byte by byte, with the offsets of bpf/loupe_events.h written out
/// by hand, so the decoder is checked against the documented layout rather than against the
/// C structs it reads itself.
struct KernelRecordBuilder {
    var bytes: [UInt8]
    private var strings: [(at: Int, data: [UInt8])] = []

    /// A record of `type` whose fixed part (header included) is `size` bytes.
    init(
        type: UInt16, size: Int, flags: UInt16 = 0, timestamp: UInt64 = 1_000, cgroup: UInt64 = 7, cpu: UInt32 = 1,
        pid: UInt32 = 100, tid: UInt32 = 101, ppid: UInt32 = 99, uid: UInt32 = 1000, gid: UInt32 = 1001,
        mntns: UInt32 = 4_026_531_840, comm: String = "cat", pcomm: String = "bash"
    ) {
        bytes = [UInt8](repeating: 0, count: size)
        put32(0, UInt32(size))
        put16(4, type)
        put16(6, flags)
        put64(8, timestamp)
        put64(16, cgroup)
        put32(24, cpu)
        put32(28, pid)
        put32(32, tid)
        put32(36, ppid)
        put32(40, uid)
        put32(44, gid)
        put32(48, mntns)
        for (index, byte) in comm.utf8.prefix(16).enumerated() { bytes[56 + index] = byte }
        for (index, byte) in pcomm.utf8.prefix(16).enumerated() { bytes[72 + index] = byte }
    }

    mutating func put8(_ offset: Int, _ value: UInt8) { bytes[offset] = value }
    mutating func put16(_ offset: Int, _ value: UInt16) {
        for index in 0..<2 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
    mutating func put32(_ offset: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
    mutating func put64(_ offset: Int, _ value: UInt64) {
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
    mutating func put(_ offset: Int, _ data: [UInt8]) {
        for (index, byte) in data.enumerated() { bytes[offset + index] = byte }
    }

    /// Appends `data` after the fixed part and points the `{off, len}` at `reference` to it.
    mutating func string(_ reference: Int, _ data: [UInt8]) {
        put16(reference, UInt16(bytes.count))
        put16(reference + 2, UInt16(data.count))
        bytes += data
        put32(0, UInt32(bytes.count))
    }

    mutating func string(_ reference: Int, _ text: String) { string(reference, Array(text.utf8)) }
}

/// Fixed-part sizes and field offsets of loupe_events.h.
enum Layout {
    static let exec = 136, exit = 104, fork = 104, open = 112, network = 136, dns = 136, ptrace = 104
    static let kmod = 120, unshare = 104, link = 112, bpf = 104, iouring = 120, capability = 104
    static let randomx = 96, syscall = 96
}

/// A DNS message: header, one question, answers pointing back at the question name.
func dnsMessage(
    id: UInt16, response: Bool, rcode: UInt8 = 0, name: [String], type: UInt16 = 1, answers: [[UInt8]] = []
) -> [UInt8] {
    var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), response ? 0x81 : 0x01, (response ? 0x80 : 0) | rcode]
    out += [0, 1, 0, UInt8(answers.count), 0, 0, 0, 0]
    for label in name { out += [UInt8(label.utf8.count)] + Array(label.utf8) }
    out += [0, UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
    for address in answers {
        let answerType: UInt8 = address.count == 4 ? 1 : 28
        out += [0xc0, 0x0c, 0, answerType, 0, 1, 0, 0, 0, 60, 0, UInt8(address.count)] + address
    }
    return out
}
