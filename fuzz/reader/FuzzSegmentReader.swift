import LoupeFormat
import LoupeModel

// libFuzzer target: arbitrary bytes as a segment file. The reader must never trap: it either
// refuses the segment with an error or returns records and a damage report.
#if canImport(Glibc)
    import Glibc
#endif

private let path: String = {
    var template = "/tmp/loupe-fuzz-XXXXXX".utf8CString
    let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!
    return String(cString: created) + "/seg-00000001.loupe"
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { return 0 }
    _ = write(descriptor, data, size)
    close(descriptor)
    guard let reader = try? CaptureReader(path: path) else { return 0 }
    var json = JSONWriter()
    _ = try? reader.forEach(ReadOptions(snapshots: .all)) { record, _ in
        json.reset()
        record.writeJSON(into: &json, clock: nil)
    }
    return 0
}
