public import LoupeModel

/// Which segments' opening snapshots a read delivers.
public enum SnapshotPolicy: Sendable {
    /// Only the snapshot of the first segment read: the state to start from. Later segments'
    /// snapshots repeat what the records in between already said.
    case leading
    /// Every segment's snapshot.
    case all
    /// No snapshots.
    case none
}

/// What to read from a capture.
public struct ReadOptions: Sendable {
    /// Skip records before this boot time (ns); blocks that end earlier are not decompressed.
    public var since: UInt64?
    /// Skip records after this boot time (ns).
    public var until: UInt64?
    /// Only these kinds, when set.
    public var kinds: Set<RecordKind>?
    public var snapshots: SnapshotPolicy = .leading

    public init(
        since: UInt64? = nil, until: UInt64? = nil, kinds: Set<RecordKind>? = nil, snapshots: SnapshotPolicy = .leading
    ) {
        self.since = since
        self.until = until
        self.kinds = kinds
        self.snapshots = snapshots
    }
}

/// Where a record came from.
public struct RecordOrigin: Sendable {
    /// Index of the segment among the capture's segments.
    public var segmentIndex: Int
    public var sequence: UInt64
    /// The record is part of a segment's opening snapshot.
    public var isSnapshot: Bool
}

/// What a read found besides the records.
public struct ReadReport: Sendable {
    public var records = 0
    /// Records of kinds this version does not know, by kind number.
    public var unknownKinds: [UInt32: Int] = [:]
    public var damage: [Damage] = []
    /// Segments skipped whole (unreadable header), with why.
    public var skippedSegments: [String] = []

    public init() {}
}

/// A capture: a directory of segments, or a single segment file.
public final class CaptureReader {
    public let path: String
    /// Segment files in sequence order.
    public let segmentPaths: [String]

    /// Finds the segments of a capture directory, or takes `path` as one segment file.
    public init(path: String) throws {
        self.path = path
        if FileSystem.isDirectory(path) {
            let segments = try SegmentName.segments(in: path)
            guard !segments.isEmpty else { throw CaptureError.noSegments(path: path) }
            segmentPaths = segments.map { path + "/" + $0.name }
        } else if FileSystem.exists(path) {
            segmentPaths = [path]
        } else {
            throw SystemError(call: "open", path: path, errno: 2 /* ENOENT */)
        }
    }

    /// Opens each readable segment in order; unreadable ones are reported in `skipped`.
    ///
    /// A segment of a newer major version stops everything: reading on would silently miss
    /// what that version recorded.
    public func openSegments(skipped: inout [String]) throws -> [SegmentReader] {
        var readers: [SegmentReader] = []
        for segmentPath in segmentPaths {
            do {
                readers.append(try SegmentReader(path: segmentPath))
            } catch let error as CaptureError {
                if case .newerVersion = error { throw error }
                skipped.append(error.description)
            }
        }
        return readers
    }

    /// The header of the first readable segment.
    public func firstHeader() throws -> SegmentHeader {
        var skipped: [String] = []
        for segmentPath in segmentPaths {
            do {
                return try SegmentReader(path: segmentPath).header
            } catch let error as CaptureError {
                if case .newerVersion = error { throw error }
                skipped.append(error.description)
            }
        }
        throw CaptureError.notASegment(path: path, detail: skipped.joined(separator: "; "))
    }

    /// Reads records in capture order, calling `body` for each one `options` selects.
    @discardableResult
    public func forEach(
        _ options: ReadOptions = ReadOptions(), _ body: (Record, RecordOrigin) throws -> Void
    ) throws -> ReadReport {
        var report = ReadReport()
        let segments = try openSegments(skipped: &report.skippedSegments)
        // Kinds below 64 (all this version knows) are checked with a bit mask, not by hashing.
        let kindMask: UInt64 =
            options.kinds.map { kinds in
                kinds.reduce(0) { $1.rawValue < 64 ? $0 | 1 << UInt64($1.rawValue) : $0 }
            } ?? 0
        // With `since`, start at the last segment that begins at or before it, so its snapshot
        // describes the state at the start of the selected range.
        var first = 0
        if let since = options.since {
            for (index, segment) in segments.enumerated()
            where segment.blocks.contains(where: { !$0.isSnapshot && $0.minTime <= since }) {
                first = index
            }
        }
        for index in first..<segments.count {
            let segment = segments[index]
            report.damage.append(contentsOf: segment.damage)
            let wantSnapshot: Bool
            switch options.snapshots {
            case .leading: wantSnapshot = index == first
            case .all: wantSnapshot = true
            case .none: wantSnapshot = false
            }
            for block in segment.blocks {
                if block.isSnapshot {
                    guard wantSnapshot else { continue }
                } else {
                    if let since = options.since, block.maxTime < since { continue }
                    if let until = options.until, block.minTime > until { continue }
                }
                let origin = RecordOrigin(
                    segmentIndex: index, sequence: segment.header.sequence, isSnapshot: block.isSnapshot)
                try segment.decode(block, unknown: &report.unknownKinds, damage: &report.damage) { record in
                    if !block.isSnapshot {
                        let timestamp = record.timestamp
                        if let since = options.since, timestamp < since { return }
                        if let until = options.until, timestamp > until { return }
                    }
                    if let kinds = options.kinds {
                        let kind = record.kind.rawValue
                        let selected = kind < 64 ? kindMask & (1 << UInt64(kind)) != 0 : kinds.contains(record.kind)
                        if !selected { return }
                    }
                    report.records += 1
                    try body(record, origin)
                }
            }
        }
        return report
    }
}
