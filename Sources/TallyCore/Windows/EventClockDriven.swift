/// A windowed processor driven by an `EventClock`. What the clock does on idleness and partition changes is the
/// same for every processor (`tally count`'s counter, the resume windows); only applying an event and closing
/// windows differ, so those are the requirements and the rest is written once here.
protocol EventClockDriven {
    associatedtype HeldEvent: Sendable
    associatedtype Output
    var clock: EventClock<HeldEvent> { get set }
    /// Applies every event the clock released, in arrival order.
    mutating func applyReleased(into outputs: inout [Output])
    /// The watermark moved: emit what it completed.
    mutating func watermarkMoved(into outputs: inout [Output])
    /// Copies the clock's counts (outliers, events handed over) into the statistics.
    mutating func syncOutliers()
}

extension EventClockDriven {
    mutating func driveIdle(clockMs: Int64, into outputs: inout [Output]) {
        clock.noteIdle(clockMs: clockMs)
        applyReleased(into: &outputs)
        if clock.advanceIdle(clockMs: clockMs) { watermarkMoved(into: &outputs) }
    }

    mutating func drivePartitionIdle(_ partition: Int, into outputs: inout [Output]) {
        clock.markIdle(partition: partition)
        applyReleased(into: &outputs)
        if clock.refresh() { watermarkMoved(into: &outputs) }
    }

    mutating func driveAdopt(_ handover: PartitionClockHandover, partition: Int, clockMs: Int64, into outputs: inout [Output]) {
        clock.adopt(handover, partition: partition, clockMs: clockMs)
        applyReleased(into: &outputs)
        if clock.refresh() { watermarkMoved(into: &outputs) }
    }

    mutating func driveRemove(partition: Int, into outputs: inout [Output]) {
        clock.remove(partition: partition)
        syncOutliers()
        if clock.refresh() { watermarkMoved(into: &outputs) }
    }

    /// End of input: applies what the clock can still trust, rejects the rest, and lets the watermark go to +∞.
    mutating func driveFinish(into outputs: inout [Output]) {
        clock.settle()
        applyReleased(into: &outputs)
        clock.finish()
        syncOutliers()
        watermarkMoved(into: &outputs)
    }
}
