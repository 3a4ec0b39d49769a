import Foundation
import PostgresNIO

/// Where and how to reach PostgreSQL, read from a `postgres://user:password@host:port/database?sslmode=…` URL.
///
/// `schema` keeps Tally's tables in a schema of their own (default `tally`), so one database can hold several
/// independent Tally deployments, and each test its own.
package struct PostgresSettings: Sendable {
    package var host: String
    package var port: Int
    package var username: String
    /// From the URL, else `--postgres-password-file`, else `PGPASSWORD`; never logged (`redacted(_:)`).
    package var password: String?
    /// Nil: the server's default database for `username`, as libpq does.
    package var database: String?
    /// `sslmode=require` (or stricter): refuse to talk to a server without TLS rather than send the password in clear.
    package var requireTLS: Bool
    package var schema: String
    /// Connections per server: several servers share one database's `max_connections`, so each takes a bounded share.
    package var maximumConnections: Int
    /// How long start-up waits for the database before giving up with a clear error (the pool itself would retry
    /// forever).
    package var connectTimeout: Duration
    /// How long one request waits for the database (a connection, then its statements) before it is answered
    /// 503: a stopped database must cost clients seconds, not the pool's minute of retries.
    package var operationTimeout: Duration
    /// PostgreSQL's own `statement_timeout` for Tally's sessions: a statement stuck on locks or a slow plan is
    /// aborted by the server, so its transaction is rolled back rather than left to commit after the client gave up.
    package var statementTimeout: Duration

    /// Defaults, shown by `--help` from here (`StoreSettings`).
    package static let defaultSchema = "tally"
    package static let defaultOperationTimeout: Duration = .seconds(2)
    package static let defaultStatementTimeout: Duration = .seconds(15)

    package init(
        url: String, schema: String = Self.defaultSchema, maximumConnections: Int = 20, connectTimeout: Duration = .seconds(10),
        operationTimeout: Duration = Self.defaultOperationTimeout, statementTimeout: Duration = Self.defaultStatementTimeout
    ) throws {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""), let host = components.host, !host.isEmpty
        else {
            throw SettingsError(message: "expected a URL like postgres://user:password@host:5432/database, got \(Self.redacted(url))")
        }
        guard schema.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw SettingsError(message: "schema must be a lower-case SQL identifier, got \(schema)")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user ?? "postgres"
        self.password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? nil : path
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        self.requireTLS = ["require", "verify-ca", "verify-full"].contains(sslmode)
        self.schema = schema
        self.maximumConnections = maximumConnections
        self.connectTimeout = connectTimeout
        self.operationTimeout = operationTimeout
        self.statementTimeout = statementTimeout
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = min(operationTimeout, connectTimeout)
        let statementMs = statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000
        configuration.options.additionalStartupParameters = [("statement_timeout", "\(statementMs)")]
        return configuration
    }

    /// The URL without its password, for messages and logs.
    package static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://…"
    }

    /// A URL or schema name that cannot be used, with what is wrong in it (the password left out).
    package struct SettingsError: Error, CustomStringConvertible {
        package var message: String
        package var description: String { message }
    }
}
