internal import CZstd

/// A zstd compression context, reused across blocks.
final class ZstdCompressor {
    private let context: OpaquePointer
    let level: Int32

    init(level: Int32) {
        // ZSTD_createCCtx fails only when out of memory.
        context = ZSTD_createCCtx()!
        self.level = level
    }

    deinit { ZSTD_freeCCtx(context) }

    /// One complete zstd frame holding `input`.
    func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            let written = ZSTD_compressCCtx(context, out.baseAddress, bound, input.baseAddress, input.count, level)
            // Compressing into a buffer of ZSTD_compressBound bytes cannot fail.
            precondition(ZSTD_isError(written) == 0, "zstd: \(String(cString: ZSTD_getErrorName(written)))")
            count = written
        }
    }

    static var levelRange: ClosedRange<Int32> { ZSTD_minCLevel()...ZSTD_maxCLevel() }
}

/// A zstd decompression context, reused across blocks.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() { context = ZSTD_createDCtx()! }

    deinit { ZSTD_freeDCtx(context) }

    /// Decompresses one frame that must expand to exactly `expectedSize` bytes.
    func decompress(_ input: ArraySlice<UInt8>, expectedSize: Int) -> Result<[UInt8], DecodingError> {
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: expectedSize) { out, count in
            written = input.withUnsafeBytes { source in
                ZSTD_decompressDCtx(context, out.baseAddress, expectedSize, source.baseAddress, source.count)
            }
            // Bytes past what zstd wrote are never exposed: a short result is an error below.
            count = ZSTD_isError(written) != 0 ? 0 : written
        }
        if ZSTD_isError(written) != 0 {
            return .failure(.malformed("zstd: \(String(cString: ZSTD_getErrorName(written)))"))
        }
        guard written == expectedSize else {
            return .failure(.malformed("zstd frame expanded to \(written) bytes, header says \(expectedSize)"))
        }
        return .success(output)
    }
}
