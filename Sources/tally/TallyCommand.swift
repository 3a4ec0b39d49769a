import ArgumentParser

/// The `tally` binary: one command per surface of the product.
@main
struct TallyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Real-time event analytics: playback watch time, sessions, ad analytics, unique counting.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, KeysCommand.self, ResumeCommand.self, CountCommand.self, ConvertCommand.self, GenerateCommand.self,
        ]
    )
}
