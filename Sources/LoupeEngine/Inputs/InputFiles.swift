#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Finds and reads input files: a file, or every `*.yaml`, `*.yml` and `*.json` file of a
/// directory (not recursive), in byte order of their names so loading is deterministic.
public enum InputFiles {
    /// The extensions read from a directory.
    public static let extensions = [".yaml", ".yml", ".json"]

    /// The files `path` names: itself, or a directory's input files, sorted.
    public static func list(_ path: String) throws(InputError) -> [String] {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw InputError(file: path, "cannot read: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return [path] }
        guard let dir = opendir(path) else {
            throw InputError(file: path, "cannot list directory: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard !name.hasPrefix("."), extensions.contains(where: { name.hasSuffix($0) }) else { continue }
            names.append(name)
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let base = path.hasSuffix("/") ? path : path + "/"
        return names.map { base + $0 }
    }

    /// The whole text of the file at `path`.
    public static func readText(_ path: String) throws(InputError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw InputError(file: path, "cannot read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError(file: path, "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every non-empty document of every input file under `path`, in file order then document order.
    public static func documents(_ path: String, limits: YAMLLimits = .default) throws(InputError) -> [YAMLNode] {
        var out: [YAMLNode] = []
        for file in try list(path) {
            let text = try readText(file)
            out += try YAMLReader.documents(text: text, file: file, limits: limits).filter { !$0.isEmptyDocument }
        }
        return out
    }
}

extension YAMLNode {
    /// True for a document with no content (an empty file, or `---` with nothing after it).
    var isEmptyDocument: Bool {
        if case .scalar(let s) = content, case .null = s.value, s.style == .plain { return true }
        return false
    }
}

/// The `apiVersion`/`kind` header every Kubernetes-style document starts with.
struct DocumentHeader {
    var apiVersion: String
    var kind: String
    var reader: MappingReader

    init(_ document: YAMLNode) throws(InputError) {
        reader = try MappingReader(document, path: "")
        apiVersion = try reader.string("apiVersion")
        kind = try reader.string("kind")
    }

    /// Refuses a document of another kind, naming the kinds that would do.
    func expect(kinds: [String]) throws(InputError) {
        guard !kinds.contains(kind) else { return }
        let node = reader.optional("kind") ?? reader.node
        let wanted = kinds.map { "\"\($0)\"" }.joined(separator: " or ")
        throw InputError(at: node.location, "expected kind \(wanted), found \"\(kind)\"")
    }
}
