public import LoupeModel

#if canImport(Glibc)
    import Glibc
#endif

/// How a capture is cut into blocks and segments and how much of it is kept.
public struct CaptureWriterOptions: Sendable {
    /// Uncompressed bytes that close a block.
    public var blockSize: Int = 256 << 10
    /// zstd level of every block.
    public var compressionLevel: Int32 = 3
    /// A block that has been open this long (monotonic ns) is written out.
    public var flushInterval: UInt64 = 1_000_000_000
    /// A segment that reaches this many bytes is closed and a new one begun.
    public var segmentMaxBytes: UInt64 = 64 << 20
    /// A segment open this long (monotonic ns) is closed and a new one begun; 0 never.
    public var segmentMaxAge: UInt64 = 0
    /// Oldest segments are deleted while the capture holds more bytes than this.
    public var retainBytes: UInt64?
    /// Oldest segments are deleted while the capture holds more segments than this.
    public var retainSegments: Int?

    public init() {}
}

/// What a writer has done so far.
public struct CaptureWriterStatistics: Sendable, Equatable {
    public var records: UInt64 = 0
    public var blocks: UInt64 = 0
    /// Bytes of record encoding before compression.
    public var uncompressedBytes: UInt64 = 0
    /// Bytes written to files: headers, blocks, footers.
    public var fileBytes: UInt64 = 0
    public var segmentsOpened: UInt64 = 0
    public var segmentsDeleted: UInt64 = 0
}

/// Writes a record stream into a capture directory of self-contained segments.
///
/// Records are encoded into an in-memory block; a block is compressed and written with one
/// `write(2)` when it reaches `blockSize`, when it has been open for `flushInterval`
/// (checked on append and by `flushIfDue()`), or on `close()`. Every segment begins with the
/// header and a snapshot of the processes and containers alive at that point, so any one
/// segment replays on its own and retention can delete old ones freely.
public final class CaptureWriter {
    public let directory: String
    public let options: CaptureWriterOptions
    public private(set) var statistics = CaptureWriterStatistics()
    /// Paths of segments deleted by retention, oldest first.
    public private(set) var deletedSegments: [String] = []

    private let host: HostInfo
    private let compressor: ZstdCompressor
    private let monotonicClock: () -> UInt64
    private let wallClock: () -> Int64
    private var state = CaptureState()

    private var file: OwnedFile?
    private var segmentPath = ""
    private var sequence: UInt64
    private var segmentBytes: UInt64 = 0
    private var segmentOpenedAt: UInt64 = 0
    private var segmentHasData = false
    private var index: [BlockInfo] = []

    private var block: FieldWriter
    private var blockRecords: UInt32 = 0
    private var blockMinTime = UInt64.max
    private var blockMaxTime: UInt64 = 0
    private var blockOpenedAt: UInt64 = 0
    private var lastTimestamp: UInt64 = 0
    private var appendsSinceClockCheck = 0
    private var failure: (any Error)?

    /// Opens a capture directory (created 0700 if missing) and begins its next segment.
    ///
    /// - Parameters:
    ///   - snapshot: what was running when the capture started (`processSnapshot` and
    ///     `containerSnapshot` records); it opens the first segment.
    ///   - monotonicClock: ns for flush and rotation deadlines (tests pass their own).
    ///   - wallClock: ns since the epoch stamped into segment headers.
    public init(
        directory: String, host: HostInfo, options: CaptureWriterOptions = CaptureWriterOptions(),
        snapshot: [Record] = [], monotonicClock: @escaping () -> UInt64 = { monotonicNanoseconds() },
        wallClock: @escaping () -> Int64 = { realtimeNanoseconds() }
    ) throws {
        self.directory = directory
        self.host = host
        self.options = options
        self.compressor = ZstdCompressor(level: options.compressionLevel)
        self.monotonicClock = monotonicClock
        self.wallClock = wallClock
        self.block = FieldWriter(capacity: options.blockSize + 4096)
        try FileSystem.makePrivateDirectory(directory)
        let existing = try SegmentName.segments(in: directory)
        sequence = existing.last?.sequence ?? 0
        for record in snapshot {
            state.apply(record)
            lastTimestamp = max(lastTimestamp, record.timestamp)
        }
        try openSegment()
    }

    /// Adds one record; writes a block out when it is full or old enough.
    public func append(_ record: Record) throws {
        if let failure { throw failure }
        if blockRecords == 0 { blockOpenedAt = monotonicClock() }
        block.record(record)
        blockRecords += 1
        let timestamp = record.timestamp
        blockMinTime = min(blockMinTime, timestamp)
        blockMaxTime = max(blockMaxTime, timestamp)
        lastTimestamp = max(lastTimestamp, timestamp)
        state.apply(record)
        statistics.records += 1
        if block.count >= options.blockSize {
            try guarded { try finishDataBlock() }
            return
        }
        appendsSinceClockCheck += 1
        if appendsSinceClockCheck >= 1024 {
            appendsSinceClockCheck = 0
            try flushIfDue()
        }
    }

    /// Writes the open block if it has waited `flushInterval`, and rotates a segment that has
    /// reached `segmentMaxAge`. A capture loop calls this at least every second.
    public func flushIfDue() throws {
        if let failure { throw failure }
        let now = monotonicClock()
        if blockRecords > 0, now &- blockOpenedAt >= options.flushInterval {
            try guarded { try finishDataBlock() }
        }
        if options.segmentMaxAge > 0, segmentHasData, now &- segmentOpenedAt >= options.segmentMaxAge {
            try guarded { try rotate() }
        }
    }

    /// Writes the open block now.
    public func flush() throws {
        if let failure { throw failure }
        if blockRecords > 0 { try guarded { try finishDataBlock() } }
    }

    /// Writes the open block and the segment's index, and syncs the file.
    public func close() throws {
        if let failure { throw failure }
        try guarded {
            if blockRecords > 0 { try writeBlock(flags: []) }
            try finishSegment()
        }
    }

    /// The path of the segment being written.
    public var currentSegmentPath: String { segmentPath }

    // MARK: Blocks

    private func guarded(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            failure = error
            throw error
        }
    }

    private func finishDataBlock() throws {
        try writeBlock(flags: [])
        segmentHasData = true
        if segmentBytes >= options.segmentMaxBytes { try rotate() }
    }

    private func writeBlock(flags: BlockFlags) throws {
        let payload = block.withUnsafeBytes { compressor.compress($0) }
        let info = BlockInfo(
            offset: segmentBytes, flags: flags, recordCount: blockRecords, compressedSize: UInt32(payload.count),
            uncompressedSize: UInt32(block.count), minTime: blockMinTime == .max ? 0 : blockMinTime,
            maxTime: blockMaxTime, payloadChecksum: CRC32C.checksum(payload))
        // Header and payload go out in one write, so a kill leaves either the whole block or a
        // tail the reader recognises as cut off.
        var bytes = info.encodedHeader()
        bytes.append(contentsOf: payload)
        try file!.write(bytes)
        segmentBytes += UInt64(bytes.count)
        statistics.fileBytes += UInt64(bytes.count)
        statistics.uncompressedBytes += UInt64(block.count)
        statistics.blocks += 1
        index.append(info)
        block.removeAll()
        blockRecords = 0
        blockMinTime = .max
        blockMaxTime = 0
    }

    // MARK: Segments

    private func openSegment() throws {
        sequence += 1
        segmentPath = directory + "/" + SegmentName.fileName(sequence: sequence)
        file = try OwnedFile(path: segmentPath, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        let header = SegmentHeader(host: host, sequence: sequence, createdWallTime: wallClock())
        let headerBytes = header.encoded()
        try file!.write(headerBytes)
        segmentBytes = UInt64(headerBytes.count)
        statistics.fileBytes += segmentBytes
        statistics.segmentsOpened += 1
        segmentOpenedAt = monotonicClock()
        segmentHasData = false
        index = []
        try writeSnapshot()
    }

    /// Writes the current state as the segment's snapshot blocks, split at `blockSize`.
    private func writeSnapshot() throws {
        // Records already in the open block belong to the old segment; callers flush first.
        for record in state.snapshot(at: lastTimestamp) {
            block.record(record)
            blockRecords += 1
            blockMinTime = min(blockMinTime, record.timestamp)
            blockMaxTime = max(blockMaxTime, record.timestamp)
            if block.count >= options.blockSize { try writeBlock(flags: .snapshot) }
        }
        if blockRecords > 0 { try writeBlock(flags: .snapshot) }
    }

    private func finishSegment() throws {
        guard let file else { return }
        var footer = SegmentLayout.indexMagic
        footer.appendLittleEndian(UInt32(index.count))
        var entries: [UInt8] = []
        for info in index { entries.append(contentsOf: info.encodedIndexEntry()) }
        footer.append(contentsOf: entries)
        footer.appendLittleEndian(segmentBytes)
        footer.appendLittleEndian(UInt32(index.count))
        footer.appendLittleEndian(CRC32C.checksum(entries))
        footer.append(contentsOf: SegmentLayout.trailerMagic)
        try file.write(footer)
        try file.sync()
        statistics.fileBytes += UInt64(footer.count)
        self.file = nil
    }

    private func rotate() throws {
        if blockRecords > 0 { try writeBlock(flags: []) }
        try finishSegment()
        try openSegment()
        try applyRetention()
    }

    private func applyRetention() throws(SystemError) {
        guard options.retainBytes != nil || options.retainSegments != nil else { return }
        var segments = try SegmentName.segments(in: directory)
        var sizes = segments.map { FileSystem.fileSize(directory + "/" + $0.name) ?? 0 }
        // The segment being written is never deleted.
        while segments.count > 1 {
            let total = sizes.reduce(0, +)
            let overBytes = options.retainBytes.map { total > $0 } ?? false
            let overCount = options.retainSegments.map { segments.count > $0 } ?? false
            guard overBytes || overCount else { break }
            let path = directory + "/" + segments[0].name
            try FileSystem.remove(path)
            deletedSegments.append(path)
            statistics.segmentsDeleted += 1
            segments.removeFirst()
            sizes.removeFirst()
        }
    }
}

/// How segment files are named: `seg-00000001.loupe`, numbered from 1.
public enum SegmentName {
    public static func fileName(sequence: UInt64) -> String {
        let digits = String(sequence)
        return "seg-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits + ".loupe"
    }

    /// The sequence number in a segment file name, or nil for other files.
    public static func sequence(of name: String) -> UInt64? {
        guard name.hasPrefix("seg-"), name.hasSuffix(".loupe") else { return nil }
        return UInt64(name.dropFirst(4).dropLast(6))
    }

    /// Segment files of a directory, by sequence number.
    static func segments(in directory: String) throws(SystemError) -> [(name: String, sequence: UInt64)] {
        try FileSystem.contents(of: directory)
            .compactMap { name in sequence(of: name).map { (name, $0) } }
            .sorted { $0.sequence < $1.sequence }
    }
}

/// CLOCK_REALTIME in nanoseconds since the epoch.
public func realtimeNanoseconds() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}
