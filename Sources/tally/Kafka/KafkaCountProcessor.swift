#if Kafka
import ArgumentParser
import TallyCore
import TallyIO
import TallyKafka

/// The consuming loop of `tally count --from kafka://…`: feeds batches to a `CountStream`, emits results, and
/// commits (flush → checkpoint → offsets) every `--checkpoint-interval`, on SIGTERM and at `--idle-exit`.
struct KafkaCountProcessor {
    var stream: CountStream
    let sourceName: String
    let checkpointPath: String?
    let checkpointInterval: Duration
    /// Per partition, the offset after the last frame the state includes (skipped below it after a restart).
    var positions: [KafkaPartition: Int64] = [:]
    let progress = ProgressReporter(command: "count")

    init(_ command: CountCommand, _ setup: CountCommand.Setup, sourceName: String) throws {
        stream = CountStream(configuration: setup.configuration, userField: setup.userField, timeField: setup.timeField,
                             validate: command.validate)
        self.sourceName = sourceName
        checkpointPath = command.checkpoint
        checkpointInterval = command.checkpointInterval.duration
        guard checkpointInterval > .zero else { throw ValidationError("--checkpoint-interval must be positive") }
        guard let path = command.checkpoint, let saved = try KafkaCountCheckpoint.load(from: path) else { return }
        guard saved.source == sourceName else {
            throw ValidationError("checkpoint \(path) was made for \(saved.source), not \(sourceName)")
        }
        do {
            stream = try CountStream(configuration: setup.configuration, checkpoint: saved.state, userField: setup.userField,
                                     timeField: setup.timeField, validate: command.validate)
        } catch {
            throw ValidationError("cannot resume from \(path): \(error)")
        }
        for position in saved.positions {
            positions[KafkaPartition(topic: position.topic, partition: position.partition)] = position.next
        }
        ProgressReporter.writeStderr("count: resuming from \(path) at \(saved.positions.count) partition offsets\n")
    }

    mutating func consume(
        _ consumer: KafkaConsumer, output: KafkaCountOutput, stop: StopFlag, idleExit: Duration?, untilEnd: Bool
    ) async throws {
        var atEnd: Set<KafkaPartition> = []
        let clock = ContinuousClock()
        let origin = clock.now
        var lastFrame = clock.now, lastCommit = clock.now
        var firstFrame: ContinuousClock.Instant?, lastFed = clock.now
        // Joining the group takes a few seconds; before the first frame, --idle-exit waits that much longer.
        var idleGrace: Duration = .seconds(30)
        var buffer: [UInt8] = []
        var idleSleep = 1
        while !stop.isSet {
            let batch = try consumer.poll(max: 20_000)
            let now = clock.now
            for partition in batch.nextOffsets.keys where !batch.reachedEnd.contains(partition) { atEnd.remove(partition) }
            atEnd.formUnion(batch.reachedEnd)
            if untilEnd, batch.isEmpty, !atEnd.isEmpty {
                let assigned = try consumer.assignment()
                if !assigned.isEmpty, assigned.isSubset(of: atEnd) {
                    stream.finish(output: &buffer)
                    break
                }
            }
            if batch.isEmpty {
                stream.idle(clockMs: (now - origin).milliseconds, output: &buffer)
                if let idleExit, now - lastFrame >= idleExit + idleGrace {
                    stream.finish(output: &buffer)
                    break
                }
                try await output.emit(&buffer)
                try? await Task.sleep(for: .milliseconds(idleSleep))
                idleSleep = min(idleSleep * 2, 50)
            } else {
                idleSleep = 1
                lastFrame = now
                idleGrace = .zero
                if firstFrame == nil { firstFrame = now }
                feed(batch, clockMs: (now - origin).milliseconds, output: &buffer)
                lastFed = clock.now
                try await output.emit(&buffer)
                progress.tick { CountCommand.progressFields(stream, progress) }
            }
            if now - lastCommit >= checkpointInterval {
                try await commit(consumer, output: output, buffer: &buffer)
                lastCommit = clock.now
            }
        }
        try await commit(consumer, output: output, buffer: &buffer)
        CountCommand.report(stream, progress)
        if let firstFrame {
            // The rate while frames flowed, without the group join before and the idle wait after.
            let seconds = max(Double((lastFed - firstFrame).milliseconds) / 1000, 1e-3)
            let joined = Double((firstFrame - origin).milliseconds) / 1000
            ProgressReporter.writeStderr("count kafka: first_frame_after_seconds=\(String(format3: joined)) consuming_seconds=\(String(format3: seconds)) frames_per_second=\(Int(Double(stream.statistics.lines) / seconds))\n")
        }
    }

    /// Feeds the batch's frames, skipping those the restored state already includes.
    private mutating func feed(_ batch: KafkaBatch, clockMs: Int64, output: inout [UInt8]) {
        let stale = batch.records.contains { record in positions[record.partition].map { record.offset < $0 } ?? false }
        if stale {
            var fresh: [UInt8] = []
            for record in batch.records where record.offset >= (positions[record.partition] ?? 0) {
                fresh.append(contentsOf: batch.values[record.value])
                fresh.append(0x0A)
            }
            fresh.withUnsafeBytes { stream.feed($0, clockMs: clockMs, output: &output) }
        } else {
            batch.values.withUnsafeBytes { stream.feed($0, clockMs: clockMs, output: &output) }
        }
        positions.merge(batch.nextOffsets) { max($0, $1) }
    }

    /// Results first, then the state that produced them, then the offsets.
    private func commit(_ consumer: KafkaConsumer, output: KafkaCountOutput, buffer: inout [UInt8]) async throws {
        try await output.emit(&buffer)
        try await output.flush()
        if let checkpointPath {
            let saved = positions.map { KafkaCountCheckpoint.Position(topic: $0.key.topic, partition: $0.key.partition, next: $0.value) }
            try KafkaCountCheckpoint(source: sourceName, positions: saved.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) },
                                     state: stream.checkpoint()).save(to: checkpointPath)
        }
        do {
            try consumer.commit(positions)
        } catch {
            // Not fatal: the checkpoint holds the positions, and a restart skips what it already counted; the group's
            // offsets only say where fetching starts.
            ProgressReporter.writeStderr("count: warning: \(error); the checkpoint keeps the positions\n")
        }
    }
}

/// Where results go: a file or stdout, or a Kafka topic (one message per result, key `window/start`).
struct KafkaCountOutput {
    let sink: OutputSink?
    let producer: KafkaProducer?
    let topic: String?

    func emit(_ buffer: inout [UInt8]) async throws {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        if let sink {
            try sink.write(buffer)
            return
        }
        guard let producer, let topic else { return }
        let messages = buffer.split(separator: 0x0A).map { line in (key: Self.resultKey(line) as [UInt8]?, value: Array(line)) }
        _ = try await producer.send(topic: topic, messages: messages)
    }

    func flush() async throws {
        try sink?.flush()
    }

    /// `window/start` of a result line, e.g. `minute/2016-07-11T13:39:00Z`: results of one window share a key (and
    /// so a partition, in order).
    static func resultKey(_ line: ArraySlice<UInt8>) -> [UInt8] {
        func value(of name: String) -> ArraySlice<UInt8> {
            let marker = Array("\"\(name)\":\"".utf8)
            guard let start = line.firstRange(of: marker)?.upperBound,
                  let end = line[start...].firstIndex(of: 0x22) else { return [] }
            return line[start..<end]
        }
        return Array(value(of: "window")) + [0x2F] + Array(value(of: "start"))
    }
}
#endif
