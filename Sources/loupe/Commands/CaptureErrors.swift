import LoupeFormat

/// Turns reader and writer errors into messages and exit codes users can act on.
func commandFailure(_ error: any Error) -> any Error {
    switch error {
    case let error as CaptureError:
        switch error {
        case .noSegments: return CommandFailure(error.description, exitCode: ExitCode.noInput)
        case .newerVersion, .notASegment: return CommandFailure(error.description, exitCode: ExitCode.dataError)
        }
    case let error as SystemError:
        let code = error.errno == 2 ? ExitCode.noInput : (error.isNoSpace ? ExitCode.ioError : ExitCode.cantCreate)
        return CommandFailure(error.description, exitCode: code)
    default:
        return error
    }
}

/// Runs `body`, converting capture errors on the way out.
func withCaptureErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as UsageError {
        throw error
    } catch {
        throw commandFailure(error)
    }
}
