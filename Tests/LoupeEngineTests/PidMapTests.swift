import Testing

@testable import LoupeEngine

@Suite struct PidMapTests {
    /// Random inserts, overwrites and removals agree with a Dictionary at every step, across
    /// growth and with keys crowded into few home slots (multiples of a power of two).
    @Test(arguments: [UInt32(1), 4096, 65536])
    func agreesWithDictionary(stride: UInt32) throws {
        var map = PidMap(placeholder: -1)
        var reference: [UInt32: Int] = [:]
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func random(_ bound: UInt64) -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state % bound
        }
        for step in 0..<20_000 {
            let key = UInt32(random(600)) &* stride
            switch random(3) {
            case 0, 1:
                map[key] = step
                reference[key] = step
            default:
                map[key] = nil
                reference[key] = nil
            }
            if step % 97 == 0 {
                #expect(map.count == reference.count)
                for probe in 0..<600 {
                    let k = UInt32(probe) &* stride
                    #expect(map[k] == reference[k], "key \(k) at step \(step)")
                }
            }
        }
        for (key, value) in reference {
            let slot = try #require(map.slot(of: key))
            #expect(map[slot: slot] == value)
            map[slot: slot] += 1
            #expect(map[key] == value + 1)
        }
    }
}
