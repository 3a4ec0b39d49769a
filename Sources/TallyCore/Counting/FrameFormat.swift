/// How frames arrive at `tally count`.
public enum FrameFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, the brief's format: the fields are found by scanning each frame.
    case ndjson
    /// Tally frame records (`FrameRecords`): the user id and time in fixed places, nothing parsed.
    case tfr
}
