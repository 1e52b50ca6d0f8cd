import LoupeFormat

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory under /tmp, removed with everything in it when the value goes away.
public final class TemporaryDirectory {
    public let path: String

    public init(_ label: String = "test") {
        var template = "/tmp/loupe-\(label)-XXXXXX".utf8CString
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(created != nil, "mkdtemp failed")
        path = String(cString: created!)
    }

    deinit { FileSystem.removeTree(path) }

    /// A path inside the directory.
    public func appending(_ name: String) -> String { path + "/" + name }
}

/// Reads a whole file.
public func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { return [] }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
}

/// Writes a whole file (mode 0600), replacing it.
public func writeFile(_ path: String, _ bytes: [UInt8]) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(descriptor >= 0, "cannot write \(path)")
    defer { close(descriptor) }
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            precondition(written > 0, "write failed")
            offset += written
        }
    }
}
