import Foundation
import PostgresNIO

/// Where and how to reach PostgreSQL, read from a `postgres://user:password@host:port/database?sslmode=…` URL.
///
/// `schema` keeps Tally's tables in a schema of their own (default `tally`), so one database can hold several
/// independent Tally deployments, and each test its own.
public struct PostgresSettings: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var requireTLS: Bool
    public var schema: String
    public var maximumConnections: Int
    /// How long start-up waits for the database before giving up with a clear error (the pool itself would retry
    /// forever).
    public var connectTimeout: Duration

    public init(url: String, schema: String = "tally", maximumConnections: Int = 20, connectTimeout: Duration = .seconds(10)) throws {
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
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: requireTLS ? .require(.makeClientConfiguration()) : .disable)
        configuration.options.maximumConnections = maximumConnections
        return configuration
    }

    /// The URL without its password, for messages and logs.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://…"
    }

    public struct SettingsError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
