/// Every binary format Tally writes, in one table: the four ASCII bytes that open it (its kind and version) and
/// what it holds. A reader names the format it expects, so a file of another kind or version is refused with both
/// names, and no two formats can share a magic (`BinaryFormatTests`).
public enum BinaryFormat: String, CaseIterable, Sendable {
    /// A HyperLogLog sketch (sparse or dense registers).
    case hyperLogLog = "THL1"
    /// A window's unique-user sketch: exact set or HyperLogLog.
    case uniqueSketch = "TXS1"
    /// `tally count`'s stream state: open windows, the event clock, held events with their source positions.
    case countState = "TCK4"
    /// `countState` before it named its input format (always NDJSON then): read, never written.
    case countStateV3 = "TCK3"
    /// `tally resume`'s stream state.
    case resumeState = "TRS3"
    /// `tally count --merge`'s state: the shards' windows being merged.
    case mergeState = "TMS1"
    /// `--checkpoint` over files: the inputs, where in them the run stands, then the stream's state (`countState`,
    /// `resumeState` or `mergeState`).
    case inputCheckpoint = "TCF1"
    /// Tally frame records: an input format for frames with the user id and time in fixed places (`FrameRecords`).
    case frameRecords = "TFR1"
    /// `--checkpoint` of a Kafka processor: source, partition offsets, then the stream's state.
    case kafkaCheckpoint = "TKP1"
    /// The Kafka checkpoint's first magic, which it shared with the first version of `countState`: read, never
    /// written.
    case kafkaCheckpointLegacy = "TCK1"
    /// One commit's derived state (playback states and resume arrays) in the SQLite store's journal, applied to
    /// their tables by a later flush or, after a crash, when the store opens.
    case derivedJournal = "TDJ1"

    /// What the bytes hold, for error messages.
    public var contents: String {
        switch self {
        case .hyperLogLog: "a HyperLogLog sketch"
        case .uniqueSketch: "a unique-user sketch"
        case .countState, .countStateV3: "a tally count state"
        case .resumeState: "a tally resume state"
        case .mergeState: "a tally count --merge state"
        case .inputCheckpoint: "a checkpoint of file inputs"
        case .frameRecords: "Tally frame records"
        case .kafkaCheckpoint, .kafkaCheckpointLegacy: "a checkpoint of a Kafka processor"
        case .derivedJournal: "a journal entry of derived state"
        }
    }
}
