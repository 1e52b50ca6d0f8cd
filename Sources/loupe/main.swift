#if canImport(Glibc)
    import Glibc
#endif

/// Every top-level command, in the order `loupe --help` lists them.
let commands: [any Command.Type] = [
    InspectCommand.self,
    CatCommand.self,
    ReplayCommand.self,
    RulesCommand.self,
    CELCommand.self,
    SynthCommand.self,
    CaptureCommand.self,
    BenchCommand.self,
    CorpusCommand.self,
]

let tool = CommandLineTool(version: loupeVersion, commands: commands)
exit(tool.main(Array(CommandLine.arguments.dropFirst())))
