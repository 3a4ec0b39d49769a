import Metrics
import TallyCore

/// Prometheus series of the server's resume windows: late heartbeats are never silent.
enum ResumeMetrics {
    static let windowsClosed = Counter(label: "tally_resume_windows_closed_total")
    static let arrays = Counter(label: "tally_resume_arrays_total")
    static let lateRevised = Counter(label: "tally_resume_late_events_total", dimensions: [("outcome", "revised")])
    static let lateDropped = Counter(label: "tally_resume_late_events_total", dimensions: [("outcome", "dropped")])
    /// Heartbeats far ahead of the event clock that no other users corroborated (`EventClock`).
    static let outliers = Counter(label: "tally_resume_rejected_outliers_total")

    static func record(from before: ResumeStatistics, to after: ResumeStatistics) {
        increment(windowsClosed, after.windowsClosed - before.windowsClosed)
        increment(arrays, after.outputs - before.outputs)
        increment(lateRevised, after.lateRevised - before.lateRevised)
        increment(lateDropped, after.lateDropped - before.lateDropped)
        increment(outliers, after.rejectedOutliers - before.rejectedOutliers)
    }

    private static func increment(_ counter: Counter, _ by: Int) {
        if by > 0 { counter.increment(by: by) }
    }
}
