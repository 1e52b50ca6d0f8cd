internal import CRE2
import Synchronization

/// A compiled RE2 pattern. RE2 matches in linear time, so hostile input cannot make a rule's
/// regex backtrack exponentially.
public final class CELRegex: Sendable {
    public let pattern: String
    nonisolated(unsafe) private let handle: OpaquePointer

    private init(pattern: String, handle: OpaquePointer) {
        self.pattern = pattern
        self.handle = handle
    }

    deinit { cre2shim_free(handle) }

    /// Compiles a pattern with RE2 syntax.
    public static func compile(_ pattern: String) -> Result<CELRegex, CELEvalError> {
        var buffer = [CChar](repeating: 0, count: 256)
        var utf8 = pattern
        let handle = utf8.withUTF8 { p in
            p.withMemoryRebound(to: CChar.self) { c in
                cre2shim_compile(c.baseAddress, c.count, &buffer, buffer.count)
            }
        }
        guard let handle else {
            let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return .failure(CELEvalError(message))
        }
        return .success(CELRegex(pattern: pattern, handle: handle))
    }

    /// Whether the pattern matches anywhere in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { p in
            p.withMemoryRebound(to: CChar.self) { c in
                cre2shim_partial_match(handle, c.baseAddress, c.count) != 0
            }
        }
    }

    private static let cache = Mutex<[String: CELRegex]>([:])

    /// A compiled pattern from a small process-wide cache: patterns only known at run time, and
    /// constant patterns that planning validates and then compiles into a node.
    static func cached(_ pattern: String) -> Result<CELRegex, CELEvalError> {
        if let hit = cache.withLock({ $0[pattern] }) { return .success(hit) }
        let result = compile(pattern)
        if case .success(let regex) = result {
            cache.withLock { table in
                if table.count >= 256 { table.removeAll() }
                table[pattern] = regex
            }
        }
        return result
    }
}
