import TallyPostgres

/// Where the state lives, for `serve` and `keys` alike; PostgreSQL's defaults come from `PostgresSettings`.
enum StoreSettings {
    static let postgres = Setting<String>(
        "--postgres", "TALLY_POSTGRES_URL",
        "PostgreSQL URL (postgres://user@host:5432/db); replaces the SQLite store, and lets several servers share one state.",
        default: nil, shownAs: "none: the SQLite store")
    static let postgresPasswordFile = Setting<String>(
        "--postgres-password-file", "TALLY_POSTGRES_PASSWORD_FILE",
        "File whose first line is the PostgreSQL password (for secrets mounted as files).", default: nil, shownAs: "none")
    static let dataDir = Setting<String>("--data-dir", "TALLY_DATA_DIR", "Directory of the SQLite store.", default: "./tally-data")
    static let postgresSchema = Setting<String>(
        "--postgres-schema", "TALLY_POSTGRES_SCHEMA", "Schema of Tally's tables in PostgreSQL.", default: PostgresSettings.defaultSchema)
    static let postgresTimeout = Setting<DurationArgument>.positive(
        "--postgres-timeout", "TALLY_POSTGRES_TIMEOUT",
        "How long a request waits for PostgreSQL (a connection, then its statements) before it is answered 503.",
        default: PostgresSettings.defaultOperationTimeout)
    static let postgresStatementTimeout = Setting<DurationArgument>.positive(
        "--postgres-statement-timeout", "TALLY_POSTGRES_STATEMENT_TIMEOUT",
        "PostgreSQL's statement_timeout for Tally's connections; a statement running longer is aborted and rolled back.",
        default: PostgresSettings.defaultStatementTimeout)
}
