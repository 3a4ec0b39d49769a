import Foundation
import TallyPipeline
import TallyPostgres

/// The throwaway PostgreSQL the PostgreSQL tests use, or nil when `TALLY_TEST_POSTGRES_URL` is not set (those tests
/// are then skipped).
package let testPostgresURL = ProcessInfo.processInfo.environment["TALLY_TEST_POSTGRES_URL"]

/// Settings for one test's own schema. The start-up and per-request limits are far above the product's defaults:
/// on two cores running the whole suite at once, a healthy database can take seconds to answer, and those tests
/// check what the store does, not how fast a loaded machine is (the limits themselves have tests of their own).
package func isolatedPostgres(prefix: String = "test_", maximumConnections: Int = 8) throws -> PostgresSettings {
    try PostgresSettings(
        url: testPostgresURL!, schema: uniqueName(prefix), maximumConnections: maximumConnections,
        connectTimeout: .seconds(60), operationTimeout: .seconds(20), statementTimeout: .seconds(30))
}
