import LoupeEngine
import Testing

/// The fixtures folder beside this file.
let fixtures: String = {
    let file = #filePath
    return String(file[..<file.lastIndex(of: "/")!]) + "/Fixtures"
}()

/// The description of the `InputError` `body` throws, or a marker when it throws none.
func inputError(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "<no error>"
    } catch let error as InputError {
        return error.description
    } catch {
        return "<not an InputError: \(error)>"
    }
}
