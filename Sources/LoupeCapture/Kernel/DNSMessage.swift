public import LoupeModel

/// What Loupe keeps of a DNS message: the first question and the address answers.
///
/// ```
///  0      2      4       6       8       10      12
///  +------+------+-------+-------+-------+-------+----------------------------
///  |  id  |flags |qdcount|ancount|nscount|arcount| question... answers...
///  +------+------+-------+-------+-------+-------+----------------------------
///  flags: QR(1) opcode(4) AA TC RD RA Z(3) RCODE(4)
/// ```
///
/// Parsing never traps: a message cut short (the tracer keeps 512 bytes) yields what was
/// readable, and garbage yields nil or empty fields.
public struct DNSMessage: Hashable, Sendable {
    public var id: UInt16
    public var isResponse: Bool
    public var rcode: UInt8
    /// First question's name with its trailing dot (`example.com.`), raw label bytes; empty if
    /// there is no readable question.
    public var name: [UInt8]
    public var queryType: UInt16
    /// A and AAAA records of the answer section, in order.
    public var answers: [IPAddress]

    /// Compression pointers followed per name before the name is declared malformed.
    static let maxPointers = 32

    /// Parses `bytes`, or returns nil when they do not even hold a DNS header.
    public static func parse(_ bytes: some RandomAccessCollection<UInt8>) -> DNSMessage? {
        let data = Array(bytes)
        guard data.count >= 12 else { return nil }
        func u16(_ at: Int) -> UInt16? {
            at >= 0 && at + 2 <= data.count ? UInt16(data[at]) << 8 | UInt16(data[at + 1]) : nil
        }
        let flags = u16(2)!
        var message = DNSMessage(
            id: u16(0)!, isResponse: flags & 0x8000 != 0, rcode: UInt8(flags & 0x000f), name: [], queryType: 0,
            answers: [])
        let questions = Int(u16(4)!)
        let answerCount = Int(u16(6)!)
        var offset = 12
        for index in 0..<questions {
            guard let (name, next) = readName(data, at: offset), let type = u16(next), u16(next + 2) != nil else {
                return message
            }
            if index == 0 {
                message.name = name
                message.queryType = type
            }
            offset = next + 4
        }
        for _ in 0..<answerCount {
            guard let (_, next) = readName(data, at: offset, collect: false), let type = u16(next),
                let length = u16(next + 8)
            else { return message }
            let rdata = next + 10
            let end = rdata + Int(length)
            guard end <= data.count else { return message }
            if (type == 1 && length == 4) || (type == 28 && length == 16) {
                message.answers.append(IPAddress(bytes: data[rdata..<end]))
            }
            offset = end
        }
        return message
    }

    /// Reads a (possibly compressed) name at `offset`: its dotted text and the offset after it
    /// in the message (after the first pointer, if any).
    static func readName(_ data: [UInt8], at offset: Int, collect: Bool = true) -> ([UInt8], Int)? {
        var text: [UInt8] = []
        var position = offset
        var resume: Int?
        var pointers = 0
        while true {
            guard position < data.count else { return nil }
            let length = Int(data[position])
            switch length & 0xc0 {
            case 0:
                if length == 0 {
                    if collect, text.isEmpty { text.append(UInt8(ascii: ".")) }
                    return (text, resume ?? position + 1)
                }
                let start = position + 1
                guard start + length <= data.count else { return nil }
                if collect {
                    text.append(contentsOf: data[start..<start + length])
                    text.append(UInt8(ascii: "."))
                }
                // Names are at most 255 bytes on the wire; more means a loop or garbage.
                guard text.count <= 255 else { return nil }
                position = start + length
            case 0xc0:
                guard position + 1 < data.count, pointers < maxPointers else { return nil }
                pointers += 1
                if resume == nil { resume = position + 2 }
                position = (length & 0x3f) << 8 | Int(data[position + 1])
            default:
                return nil
            }
        }
    }
}
