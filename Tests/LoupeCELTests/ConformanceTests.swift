import Foundation
import LoupeCEL
import Testing

/// The shared conformance folder, `../shared/cel-conformance` from the package root.
private let conformanceFolder: String? = {
    let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let folder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/cel-conformance").path
    return FileManager.default.fileExists(atPath: folder) ? folder : nil
}()

private let conformanceFiles: [String] = {
    guard let folder = conformanceFolder,
        let names = try? FileManager.default.contentsOfDirectory(atPath: folder)
    else { return [] }
    return names.filter { $0.hasSuffix(".json") }.sorted().map { folder + "/" + $0 }
}()

@Suite struct ConformanceTests {
    @Test(
        "every usable conformance case passes",
        .enabled(if: conformanceFolder != nil, "../shared/cel-conformance is absent: conformance cases skipped"))
    func conformance() throws {
        var summary: [String] = []
        for path in conformanceFiles {
            let report = try CELConformance.run(file: path)
            summary.append(
                "\(report.file): passed \(report.passed), failed \(report.failed), skipped \(report.skipped)"
                    + (report.softFailures.isEmpty ? "" : ", soft \(report.softFailures.map(\.name))"))
            for f in report.failures {
                Issue.record("\(report.file) \(f.name): \(f.reason)")
            }
        }
        print(summary.joined(separator: "\n"))
    }
}
