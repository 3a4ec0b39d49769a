import ArgumentParser
import Foundation
import Logging
import TallyCore
import TallyPipeline

/// `tally keys`: API keys in the store the server uses (`--data-dir` or `--postgres`, as for `tally serve`).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke API keys (running servers pick changes up within 2 seconds).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key and print it once: only its SHA-256 is stored, so it cannot be shown again.")

        @Option(help: "ingest (write events), read (queries and streams) or admin (everything, incl. /metrics and the session list).")
        var scope: AccessScope

        @Option(help: "A name to tell keys apart in tally keys list (e.g. the app or team using it).")
        var name: String = ""

        @OptionGroup(title: "Store")
        var store: StoreOptions

        func run() async throws {
            guard name.utf8.count <= 200, !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw ValidationError("--name must be at most 200 bytes without control characters")
            }
            try await KeysCommand.withKeys(store) { keys in
                let token = APIKeyToken.generate()
                try await keys.createAPIKey(
                    APIKeyRecord(
                        id: token.id, name: name, scope: scope, secretDigest: token.secretDigest, createdAt: .wallClockNow))
                print(token.text)
                FileHandle.standardError.write(
                    Data("created key \(token.id) with scope \(scope); this is the only time it is shown\n".utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List keys: id, scope, created, last used, revoked, name (never the secret).")

        @OptionGroup(title: "Store")
        var store: StoreOptions

        func run() async throws {
            try await KeysCommand.withKeys(store) { keys in
                let records = try await keys.apiKeys()
                print(["ID", "SCOPE", "CREATED", "LAST USED", "REVOKED", "NAME"].joined(separator: "\t"))
                for record in records {
                    let format = { (time: Timestamp?) in time.map { ISO8601.format($0, style: .zulu) } ?? "-" }
                    print(
                        [
                            record.id, record.scope.rawValue, format(record.createdAt), format(record.lastUsedAt),
                            format(record.revokedAt), record.name,
                        ].joined(separator: "\t"))
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id; servers refuse it within 2 seconds.")

        @Argument(help: "The key's id (the 16 hex digits after tally_, as tally keys list shows it).")
        var id: String

        @OptionGroup(title: "Store")
        var store: StoreOptions

        func run() async throws {
            try await KeysCommand.withKeys(store) { keys in
                guard try await keys.revokeAPIKey(id: id, at: .wallClockNow) else {
                    throw CLIError("no unrevoked key \(id); tally keys list shows the keys")
                }
                FileHandle.standardError.write(Data("revoked key \(id)\n".utf8))
            }
        }
    }

    static func withKeys(_ options: StoreOptions, _ body: (any APIKeyStore) async throws -> Void) async throws {
        var logger = Logger(label: "tally")
        logger.logLevel = .warning
        try await options.withKeys(logger: logger, body)
    }
}

extension AccessScope: ExpressibleByArgument {}
