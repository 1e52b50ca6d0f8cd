#if canImport(Glibc)
    import Glibc
#endif

/// Every top-level command, in the order `loupe --help` lists them: the main job first.
let commands: [any Command.Type] = [
    CaptureCommand.self,
    ReplayCommand.self,
    InspectCommand.self,
    CatCommand.self,
    ProfileCommand.self,
    RulesCommand.self,
    CorpusCommand.self,
    CELCommand.self,
    SynthCommand.self,
    BenchCommand.self,
]

let tool = CommandLineTool(version: loupeVersion, commands: commands)
exit(tool.main(Array(CommandLine.arguments.dropFirst())))
