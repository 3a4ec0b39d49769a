import ArgumentParser
import Foundation
import Logging
import TallyCore
import TallyPipeline
import TallyPostgres
import TallySQLite

/// Where the state lives, for every command that opens the store (`serve`, `keys`): the same flags and variables,
/// so that `tally keys` manages exactly the keys the server reads.
struct StoreOptions: ParsableArguments {
    @Option(help: StoreSettings.dataDir.help)
    var dataDir: String?

    @Option(
        help: ArgumentHelp(
            StoreSettings.postgres.help.abstract,
            discussion:
                "A password on the command line is visible to every user of the machine (ps); give it in TALLY_POSTGRES_URL, in --postgres-password-file, or in PGPASSWORD instead (in that order of precedence, after one in the URL)."
        ))
    var postgres: String?

    @Option(help: StoreSettings.postgresPasswordFile.help)
    var postgresPasswordFile: String?

    @Option(help: StoreSettings.postgresSchema.help)
    var postgresSchema: String?

    @Option(help: StoreSettings.postgresTimeout.help)
    var postgresTimeout: DurationArgument?

    @Option(help: StoreSettings.postgresStatementTimeout.help)
    var postgresStatementTimeout: DurationArgument?

    /// The SQLite directory, or the PostgreSQL settings (password resolved) when a URL is given.
    enum Location {
        case sqlite(directory: String)
        case postgres(PostgresSettings, redactedURL: String)
    }

    func location(logger: Logger) throws -> Location {
        let env = EnvironmentResolver()
        guard let url = try StoreSettings.postgres.resolveOptional(postgres, env) else {
            return .sqlite(directory: try StoreSettings.dataDir.resolve(dataDir, env))
        }
        var settings = try PostgresSettings(
            url: url, schema: try StoreSettings.postgresSchema.resolve(postgresSchema, env),
            operationTimeout: try StoreSettings.postgresTimeout.resolve(postgresTimeout, env).duration,
            statementTimeout: try StoreSettings.postgresStatementTimeout.resolve(postgresStatementTimeout, env).duration)
        if settings.password != nil, postgres != nil {
            logger.warning(
                "the PostgreSQL password given in --postgres is visible to every user of this machine; use TALLY_POSTGRES_URL, --postgres-password-file or PGPASSWORD"
            )
        }
        settings.password =
            try settings.password
            ?? Self.password(file: StoreSettings.postgresPasswordFile.resolveOptional(postgresPasswordFile, env), env: env)
        return .postgres(settings, redactedURL: PostgresSettings.redacted(url))
    }

    /// Runs `body` with the whole store, as the server uses it, and closes it after `body` however it ends
    /// (SQLite: releases the data directory; PostgreSQL: stops the connection pool).
    func withStore<T>(logger: Logger, _ body: (any TallyStorage) async throws -> T) async throws -> T {
        switch try location(logger: logger) {
        case .sqlite(let directory):
            let sqlite = try SQLiteEventStore(directory: directory)
            logger.info("opened store", metadata: ["path": "\(sqlite.path)"])
            return try await Self.closing(sqlite) { try await body(sqlite) }
        case .postgres(let settings, let url):
            return try await PostgresStores.withStores { stores in
                let store = try await stores.open(settings: settings, logger: logger)
                logger.info("opened store", metadata: ["postgres": "\(url)", "schema": "\(settings.schema)"])
                return try await body(store)
            }
        }
    }

    /// Runs `body` with the keys alone: on SQLite without the data directory's lock, which a running server holds.
    func withKeys<T>(logger: Logger, _ body: (any APIKeyStore) async throws -> T) async throws -> T {
        switch try location(logger: logger) {
        case .sqlite(let directory):
            return try await body(try SQLiteAPIKeys.open(directory: directory))
        case .postgres(let settings, _):
            return try await PostgresStores.withStores { stores in
                try await body(try await stores.open(settings: settings, logger: logger))
            }
        }
    }

    private static func closing<T>(_ store: some EventStore, _ body: () async throws -> T) async throws -> T {
        let result: T
        do {
            result = try await body()
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
        return result
    }

    /// The password file's first line, else `PGPASSWORD` (libpq's variable, so existing deployments work as they are).
    static func password(file: String?, env: EnvironmentResolver) throws -> String? {
        if let file {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ValidationError("cannot read the PostgreSQL password file \(file)")
            }
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !line.isEmpty else { throw ValidationError("the PostgreSQL password file \(file) is empty") }
            return line
        }
        return try env.optionalValue(nil, "PGPASSWORD")
    }
}
