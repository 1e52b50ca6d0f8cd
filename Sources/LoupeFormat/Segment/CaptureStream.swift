public import LoupeModel
import LoupeSystem

/// A capture's records in capture order, pulled one at a time instead of pushed through a
/// closure, optionally decoded ahead on threads of its own.
///
/// It yields exactly the records, damage, unknown kinds and skipped segments that
/// `CaptureReader.forEach` yields for the same options, in the same order, whatever the number
/// of decoder threads. Pulling lets a caller stop, interleave several captures, or pause
/// between records.
///
/// With `decoders: 0`, each block is decompressed and decoded on the calling thread when its
/// first record is asked for. With `decoders: N`, N threads decompress and decode blocks ahead
/// of the caller, at most `2N + 2` blocks ahead; the caller only takes finished blocks in
/// capture order, so order and output never depend on how the threads were scheduled.
///
/// Segments are opened when reading reaches them and released when their last block is done,
/// so a capture need not fit in memory (`forEach` holds every segment). Without `since`,
/// every segment's header is checked before the first record, so a segment of a newer
/// format version still stops the read before anything is returned, as with `forEach`.
public final class CaptureStream {
    private let pipeline: StreamPipeline
    private var threads: [PosixThread] = []
    /// Decodes blocks on the caller's thread when there are no decoder threads.
    private lazy var inlineDecompressor = ZstdDecompressor()
    private var batch: [Record] = []
    private var position = 0
    private var ticket = 0
    private var ended = false
    /// What the read found besides the records; complete once `next()` or `nextBlock()` has
    /// returned nil.
    public private(set) var report = ReadReport()

    /// Prepares to read `capture`; decoding starts at once when `decoders` is above zero.
    ///
    /// - Parameter skim: with `options.kinds`, step over records of the other kinds without
    ///   decoding them. Much faster when few records are selected; the one difference from
    ///   `forEach` is that a malformed record among those stepped over is not reported as damage.
    /// - Throws: `CaptureError.newerVersion` if any segment is of a newer major version, or a
    ///   `SystemError` for a segment that cannot be opened.
    public init(
        _ capture: CaptureReader, options: ReadOptions = ReadOptions(), decoders: Int = 0, skim: Bool = false
    ) throws {
        let segments: StreamPipeline.Segments
        var report = ReadReport()
        if let since = options.since {
            // Where to start depends on every segment's block index, so open them all now,
            // exactly as `forEach` does.
            let opened = try capture.openSegments(skipped: &report.skippedSegments)
            var first = 0
            for (index, segment) in opened.enumerated()
            where segment.blocks.contains(where: { !$0.isSnapshot && $0.minTime <= since }) {
                first = index
            }
            segments = .opened(Array(opened[first...]))
        } else {
            for path in capture.segmentPaths { try SegmentPeek.refuseNewerVersion(path) }
            segments = .paths(capture.segmentPaths)
        }
        self.report = report
        pipeline = StreamPipeline(
            segments: segments, options: options, skim: skim, window: 2 * max(decoders, 0) + 2)
        for index in 0..<max(decoders, 0) {
            let pipeline = pipeline
            if let thread = PosixThread(name: "loupe-decode-\(index)", { pipeline.decodeAhead() }) {
                threads.append(thread)
            }
        }
    }

    deinit { close() }

    /// The next record, or nil at the end of the capture.
    ///
    /// - Throws: a `SystemError` when a segment that was listed cannot be read any more; the
    ///   report then holds everything found before it.
    public func next() throws -> Record? {
        while position == batch.count {
            guard let block = try nextBlock() else { return nil }
            batch = block
            position = 0
        }
        defer { position += 1 }
        return batch[position]
    }

    /// The records of the next block that has any, in order, or nil at the end of the capture:
    /// for callers that go through records in a tight loop of their own. Do not mix with
    /// `next()`, which may hold records of a block already taken.
    ///
    /// - Throws: as `next()`.
    public func nextBlock() throws -> [Record]? {
        while !ended {
            guard let decoded = pipeline.take(ticket, inline: threads.isEmpty ? inlineDecompressor : nil) else {
                ended = true
                return nil
            }
            ticket += 1
            if let skipped = decoded.skipped { report.skippedSegments.append(skipped) }
            report.damage.append(contentsOf: decoded.damage)
            for (kind, count) in decoded.unknown { report.unknownKinds[kind, default: 0] += count }
            report.records += decoded.records.count
            if let failure = decoded.failure {
                ended = true
                throw failure
            }
            if !decoded.records.isEmpty { return decoded.records }
        }
        return nil
    }

    /// Stops the decoder threads and waits for them; `next()` then returns what was already
    /// decoded at most. Called on deinit.
    public func close() {
        pipeline.stop()
        for thread in threads { thread.join() }
        threads.removeAll()
    }
}

/// Reads the fixed start of a segment file without reading the rest.
enum SegmentPeek {
    /// Throws `CaptureError.newerVersion` when `path` starts with a segment header of a newer
    /// major version; anything else (including not being a segment) is left to `SegmentReader`.
    static func refuseNewerVersion(_ path: String) throws {
        let file = try OwnedFile(path: path, flags: 0 /* O_RDONLY */)
        let prefix = try file.read(count: SegmentLayout.headerPrefixSize, at: 0)
        guard prefix.count == SegmentLayout.headerPrefixSize,
            prefix.prefix(8).elementsEqual(SegmentLayout.headerMagic)
        else { return }
        let major = prefix.littleEndian(UInt16.self, at: 8)
        let minor = prefix.littleEndian(UInt16.self, at: 10)
        if major > FormatVersion.major { throw CaptureError.newerVersion(path: path, major: major, minor: minor) }
    }
}

/// One unit of a stream's output, in capture order: an opened segment (its damage, or why it was
/// skipped) or a decoded block.
struct DecodedBlock {
    var records: [Record] = []
    var unknown: [UInt32: Int] = [:]
    var damage: [Damage] = []
    var skipped: String?
    var failure: (any Error)?
}

/// The state a stream's decoders and its reader share: which block comes next, and the decoded
/// blocks waiting to be taken, by ticket (their position in capture order).
///
/// Every field is read and written with `monitor` held; segment readers are only read once they
/// are open, so several threads may decode blocks of one segment at once.
final class StreamPipeline: @unchecked Sendable {
    enum Segments {
        /// Segment files, opened when reading reaches them.
        case paths([String])
        /// Segments already open (a read with `since`), from the one to start at.
        case opened([SegmentReader])
    }

    private enum Work {
        case open(ticket: Int, segment: Int)
        case block(ticket: Int, SegmentReader, BlockInfo)
    }

    private let monitor = ConditionLock()
    private let segments: Segments
    private let options: ReadOptions
    private let kindMask: UInt64
    /// Known kinds not selected, when skimming: stepped over undecoded. Unknown kinds are still
    /// decoded far enough to be counted.
    private let skipMask: UInt64
    private let window: Int

    // Planning: the segment being read and its next block.
    private var nextSegment = 0
    private var current: SegmentReader?
    private var currentWantsSnapshot = false
    private var nextBlock = 0
    private var opening = false
    private var readableSegments = 0
    private var planned = false
    private var nextTicket = 0

    // Hand-over.
    private var done: [Int: DecodedBlock] = [:]
    private var taken = 0
    private var stopped = false

    init(segments: Segments, options: ReadOptions, skim: Bool, window: Int) {
        self.segments = segments
        self.options = options
        self.window = window
        // Kinds below 64 (all this version knows) are checked with a bit mask, not by hashing.
        func mask(_ kinds: some Sequence<RecordKind>) -> UInt64 {
            kinds.reduce(0) { $1.rawValue < 64 ? $0 | 1 << UInt64($1.rawValue) : $0 }
        }
        kindMask = options.kinds.map(mask) ?? 0
        skipMask = skim && options.kinds != nil ? mask(RecordKind.known) & ~kindMask : 0
    }

    private var segmentCount: Int {
        switch segments {
        case .paths(let paths): paths.count
        case .opened(let readers): readers.count
        }
    }

    /// A decoder thread's loop: takes the next piece of work while within the window of what
    /// the reader has taken, does it, and hands it over, until everything is planned or stopped.
    func decodeAhead() {
        let decompressor = ZstdDecompressor()
        while let work = monitor.locked({ plan(waitForWindow: true) }) {
            perform(work, decompressor)
        }
    }

    /// The reader's side: the output with `ticket`, waiting for the decoders or, given an
    /// `inline` zstd context (no decoder threads), producing it here; nil once everything has
    /// been taken (or after `stop()`).
    func take(_ ticket: Int, inline decompressor: ZstdDecompressor?) -> DecodedBlock? {
        monitor.locked {
            while true {
                if let decoded = done.removeValue(forKey: ticket) {
                    taken = ticket + 1
                    monitor.broadcast()
                    return decoded
                }
                if stopped || (planned && ticket >= nextTicket) { return nil }
                if let decompressor {
                    guard let work = plan(waitForWindow: false) else { continue }
                    monitor.unlocked { perform(work, decompressor) }
                } else {
                    monitor.wait()
                }
            }
        }
    }

    func stop() {
        monitor.locked {
            stopped = true
            monitor.broadcast()
        }
    }

    /// The next piece of work, monitor held; nil when everything is planned or reading stopped.
    private func plan(waitForWindow: Bool) -> Work? {
        while !stopped {
            if waitForWindow && nextTicket >= taken + window {
                monitor.wait()
                continue
            }
            if let segment = current {
                while nextBlock < segment.blocks.count {
                    let block = segment.blocks[nextBlock]
                    nextBlock += 1
                    if block.isSnapshot {
                        guard currentWantsSnapshot else { continue }
                    } else {
                        if let since = options.since, block.maxTime < since { continue }
                        if let until = options.until, block.minTime > until { continue }
                    }
                    defer { nextTicket += 1 }
                    return .block(ticket: nextTicket, segment, block)
                }
                current = nil
            }
            if planned { return nil }
            if opening {
                // Another thread is opening the next segment; its blocks come once it is open.
                monitor.wait()
                continue
            }
            guard nextSegment < segmentCount else {
                planned = true
                monitor.broadcast()
                return nil
            }
            opening = true
            nextSegment += 1
            defer { nextTicket += 1 }
            return .open(ticket: nextTicket, segment: nextSegment - 1)
        }
        return nil
    }

    /// Does one piece of work without the monitor and hands over its output.
    private func perform(_ work: Work, _ decompressor: ZstdDecompressor) {
        switch work {
        case .open(let ticket, let index):
            var output = DecodedBlock()
            var reader: SegmentReader?
            switch segments {
            case .opened(let readers): reader = readers[index]
            case .paths(let paths):
                do {
                    reader = try SegmentReader(path: paths[index])
                } catch let error as CaptureError {
                    output.skipped = error.description
                } catch {
                    output.failure = error
                }
            }
            if let reader { output.damage = reader.damage }
            monitor.locked {
                opening = false
                if let reader {
                    let wantsSnapshot: Bool
                    switch options.snapshots {
                    case .leading: wantsSnapshot = readableSegments == 0
                    case .all: wantsSnapshot = true
                    case .none: wantsSnapshot = false
                    }
                    readableSegments += 1
                    current = reader
                    currentWantsSnapshot = wantsSnapshot
                    nextBlock = 0
                }
                // A segment that was listed but cannot be read ends the plan: `forEach` would
                // have failed before reading anything.
                if output.failure != nil { planned = true }
                done[ticket] = output
                monitor.broadcast()
            }
        case .block(let ticket, let segment, let block):
            var records: [Record] = []
            // The count comes from the block header, so it is capped: a damaged one may say anything.
            records.reserveCapacity(min(Int(block.recordCount), 1 << 16))
            var unknown: [UInt32: Int] = [:]
            var damage: [Damage] = []
            let since = options.since
            let until = options.until
            let kinds = options.kinds
            let kindMask = kindMask
            segment.decode(block, with: decompressor, skipping: skipMask, unknown: &unknown, damage: &damage) {
                record in
                if !block.isSnapshot {
                    let timestamp = record.timestamp
                    if let since, timestamp < since { return }
                    if let until, timestamp > until { return }
                }
                if let kinds {
                    let kind = record.kind.rawValue
                    let selected = kind < 64 ? kindMask & (1 << UInt64(kind)) != 0 : kinds.contains(record.kind)
                    if !selected { return }
                }
                records.append(record)
            }
            let output = DecodedBlock(records: records, unknown: unknown, damage: damage)
            monitor.locked {
                done[ticket] = output
                monitor.broadcast()
            }
        }
    }
}
