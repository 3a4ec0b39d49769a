import TallyCore

/// Rules both engines state in SQL, written once: the text is valid in SQLite and PostgreSQL alike, so a rule cannot
/// differ between them. Values are inlined only as integers.
package enum SharedSQL {
    /// A window's row moves only forward: a revision older than the stored one (a late, reordered write) is dropped.
    package static let resumeWindowUpsert = """
        ON CONFLICT (user_id, window_start_ms) DO UPDATE
        SET window_end_ms = excluded.window_end_ms, revision = excluded.revision, positions = excluded.positions
        WHERE excluded.revision >= resume_windows.revision
        """

    /// A session's header is replaced by the newer one; its tree, written once when the session completes, stays.
    package static let sessionHeaderUpsert = """
        ON CONFLICT (session_id) DO UPDATE SET start_ts = excluded.start_ts, end_ts = excluded.end_ts,
            entries = excluded.entries, last_seq = excluded.last_seq, last_activity_ms = excluded.last_activity_ms,
            tree = coalesce(excluded.tree, sessions.tree)
        """

    /// The columns of a session header (`sessions` without the tree), in `SessionHeader(stored:…)` order.
    package static let sessionHeaderColumns = StoredTables.sessions.columns.map(\.name).filter { $0 != "tree" }
        .joined(separator: ", ")

    /// The `sessions` rows of a status (`SessionHeader.status`): complete once ended, abandoned when not ended and
    /// last active before `cutoffMs`, open otherwise; every row for nil.
    package static func sessionStatusCondition(_ status: SessionHeader.Status?, cutoffMs: Int64) -> String {
        switch status {
        case nil: "TRUE"
        case .complete?: "end_ts IS NOT NULL"
        case .open?: "end_ts IS NULL AND last_activity_ms >= \(cutoffMs)"
        case .abandoned?: "end_ts IS NULL AND last_activity_ms < \(cutoffMs)"
        }
    }
}
