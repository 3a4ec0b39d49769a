import Foundation
import PackagePlugin

/// Turns every file under the package's `Assets/` directory into a string constant of the target it is applied to
/// (`EmbeddedAssets.swift`), rebuilt whenever one of them changes.
@main
struct EmbedAssets: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.package.directoryURL.appending(path: "Assets")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path()).filter { !$0.hasPrefix(".") }.sorted()
        let inputs = names.map { directory.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedAssets.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(names.count) assets into \(target.name)",
                executable: try context.tool(named: "EmbedAssetsTool").url,
                arguments: [output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output])
        ]
    }
}
