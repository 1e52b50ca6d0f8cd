/// An input file Loupe cannot use: where the problem is and what was expected.
///
/// Its description is `file:line:col: error: message` (or `file: error: message` when the problem
/// concerns the whole file), the form editors and CI annotate.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file concerned.
    public var file: String
    /// The position, when the problem has one.
    public var line: Int?
    public var column: Int?
    /// What is wrong, e.g. `expected a boolean, found string "yes"`.
    public var message: String

    /// An error at `location`.
    public init(at location: SourceLocation, _ message: String) {
        self.file = location.file
        self.line = location.line
        self.column = location.column
        self.message = message
    }

    /// An error about the whole of `file`.
    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    /// The position as a location, when there is one.
    public var location: SourceLocation? {
        guard let line, let column else { return nil }
        return SourceLocation(file: file, line: line, column: column)
    }

    public var description: String {
        if let line, let column { return "\(file):\(line):\(column): error: \(message)" }
        return "\(file): error: \(message)"
    }
}
