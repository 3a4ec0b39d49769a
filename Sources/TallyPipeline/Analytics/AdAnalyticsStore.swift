import TallyCore

/// Hourly ad counts, kept exactly by the backend: the events are written by the group-commit writer (in
/// `CommitBatch.ads`), each `(hour, user)` pair is stored once so that its first insert alone bumps the hour's
/// unique-user counter, in the same transaction as the events. Reads are one indexed lookup of a counter row,
/// so every server on a shared backend answers the same.
public protocol AdAnalyticsStore: Sendable {
    /// The hour's counters; zeros for an hour with no events.
    func adCounts(_ hour: AdHour) async throws -> AdHourCounts
    /// The counters of the hours in `hours` that had events (one range read, for a day's chart).
    func adCounts(_ hours: ClosedRange<AdHour>) async throws -> [AdHour: AdHourCounts]
}
