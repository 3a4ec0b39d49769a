#if Kafka
    import Logging
    import ServiceLifecycle
    import TallyCore
    import TallyIO
    import TallyKafka

    /// The consuming loop of `tally count|resume --from kafka://…`, run as a `Service` under swift-service-lifecycle:
    /// SIGTERM or SIGINT ends it gracefully (the last results flushed, the state checkpointed, the offsets committed).
    ///
    /// The order of every commit point is what makes a restart exact: results are flushed (written, or acknowledged
    /// by the output topic) first, then the state that produced them is checkpointed with each partition's next
    /// offset, and only then are those offsets committed to the group. A crash at any step re-emits results (same
    /// window and revision) but neither loses nor double-counts a record.
    struct KafkaProcessor<Stream: ProcessedStream>: Service {
        let stream: Stream
        /// Per partition, the offset after the last record `stream` includes (from the checkpoint).
        let positions: [KafkaPartition: Int64]
        let consumer: KafkaConsumer
        /// Results go to the topic of `producer` when there is one, else to this file ("-": stdout).
        let outputPath: String
        let producer: KafkaProducer?
        let outputTopic: String?
        let checkpointPath: String?
        /// Written into the checkpoint: a checkpoint only resumes the same command, topic and group.
        let sourceName: String
        let checkpointInterval: Duration
        let idleExit: Duration?
        let untilEnd: Bool
        /// Watermark alignment: a partition this far (event time) ahead of the slowest is paused.
        let maxSkew: Duration
        let logger: Logger

        func run() async throws {
            let output = KafkaResultOutput(
                sink: producer == nil ? try OutputSink(path: outputPath) : nil, producer: producer, topic: outputTopic)
            var state = Running(processor: self, output: output, stream: stream, positions: positions)
            try await state.run()
        }

        /// The loop's mutable state.
        private struct Running {
            let processor: KafkaProcessor
            let output: KafkaResultOutput
            var stream: Stream
            var positions: [KafkaPartition: Int64]
            let progress = ProgressReporter(command: Stream.command)
            let clock = ContinuousClock()
            var buffer = ResultBuffer()
            /// Partitions paused by watermark alignment, and how many times one was.
            var paused: Set<KafkaPartition> = []
            var pauses = 0
            /// The partitions the stream was told about (registered or adopted, not revoked since).
            var assigned: Set<KafkaPartition> = []
            /// Records each partition delivered since it was last resumed (or assigned).
            var deliveredSinceResume: [KafkaPartition: Int] = [:]
            /// A partition is paused only after this many records since its last resume: pausing drops what librdkafka
            /// prefetched for it, so in a sparse topic (a few records per minute of event time) pausing at every skew
            /// would refetch for every few records.
            static var recordsPerAlignmentCycle: Int { 5_000 }

            mutating func run() async throws {
                let consumer = processor.consumer
                var atEnd: Set<KafkaPartition> = []
                let origin = clock.now
                var lastRecord = clock.now
                var lastCommit = clock.now
                var firstRecord: ContinuousClock.Instant?
                var lastFed = clock.now
                // Joining the group takes a few seconds; before the first record, --idle-exit waits that much longer.
                var idleGrace: Duration = .seconds(30)
                var idleSleep = 1
                while !Task.isShuttingDownGracefully, !Task.isCancelled {
                    let clockMs = (clock.now - origin).milliseconds
                    skip = nil
                    let batch = try consumer.poll(max: 5_000) { record in try feed(record, clockMs: clockMs) }
                    for (partition, next) in batch.nextOffsets {
                        let previous = positions[partition] ?? consumer.cachedOffsets(of: partition)?.low ?? next
                        deliveredSinceResume[partition, default: 0] += Int(max(0, next - previous))
                    }
                    positions.merge(batch.nextOffsets) { max($0, $1) }
                    let now = clock.now
                    // The group moves partitions between members (rebalances) while polling: say so, and commit what
                    // this member still owns at once, so a partition's next owner starts from fresh offsets.
                    let current = try consumer.assignment()
                    if current != assigned {
                        // Each assigned partition holds the event clock back until it has records or goes idle, and
                        // continues the clock its previous owner committed; a revoked one stops holding it.
                        adopt(current.subtracting(assigned), clockMs: clockMs)
                        for partition in assigned.subtracting(current) { revoke(partition) }
                        paused.formIntersection(current)
                        assigned = current
                        let names = current.sorted().map { "\($0.topic)/\($0.partition)" }
                        ProgressReporter.writeStderr(
                            "\(Stream.command): assigned partitions: \(names.isEmpty ? "none" : names.joined(separator: ", "))\n")
                        try await commit()
                        lastCommit = clock.now
                    }
                    for partition in batch.nextOffsets.keys where !batch.reachedEnd.contains(partition) { atEnd.remove(partition) }
                    for partition in batch.reachedEnd.subtracting(atEnd) { stream.partitionIdle(Int(partition.partition), output: &buffer) }
                    atEnd.formUnion(batch.reachedEnd)
                    try align(assigned: current, clockMs: (now - origin).milliseconds)
                    if processor.untilEnd, batch.isEmpty, !current.isEmpty, current.isSubset(of: atEnd) {
                        try stream.finish(output: &buffer)
                        break
                    }
                    if batch.isEmpty {
                        stream.idle(clockMs: (now - origin).milliseconds, output: &buffer)
                        if let idleExit = processor.idleExit, now - lastRecord >= idleExit + idleGrace {
                            try stream.finish(output: &buffer)
                            break
                        }
                        try await output.emit(&buffer)
                        try? await Task.sleep(for: .milliseconds(idleSleep))
                        idleSleep = min(idleSleep * 2, 50)
                    } else {
                        idleSleep = 1
                        lastRecord = now
                        idleGrace = .zero
                        if firstRecord == nil { firstRecord = now }
                        stream.idle(clockMs: (now - origin).milliseconds, output: &buffer)  // partitions silent for the idle timeout
                        stream.endOfBatch(clockMs: clockMs, live: true, output: &buffer)
                        lastFed = now
                        try await output.emit(&buffer)
                        progress.tick { stream.progressFields(progress) }
                    }
                    if now - lastCommit >= processor.checkpointInterval {
                        try await commit()
                        lastCommit = clock.now
                    }
                }
                try await commit()
                stream.report(progress)
                if let firstRecord {
                    // The rate while records flowed, without the group join before and the idle wait after.
                    let seconds = max(Double((lastFed - firstRecord).milliseconds) / 1000, 1e-3)
                    let joined = Double((firstRecord - origin).milliseconds) / 1000
                    ProgressReporter.writeStderr(
                        "\(Stream.command) kafka: first_record_after_seconds=\(String(format3: joined)) consuming_seconds=\(String(format3: seconds)) records_per_second=\(Int(Double(stream.records) / seconds)) alignment_pauses=\(pauses)\n"
                    )
                }
                try stream.checkOutcome()
            }

            /// Watermark alignment: pauses the partitions whose event time runs more than `maxSkew` ahead of the
            /// slowest and resumes the others, so a replay holds a bounded span of open windows whatever the skew
            /// between partitions. Paused partitions are kept from counting as idle.
            private mutating func align(assigned: Set<KafkaPartition>, clockMs: Int64) throws {
                let ahead = stream.partitionsAhead(by: processor.maxSkew)
                let shouldPause = Set(assigned.filter { ahead.contains(Int($0.partition)) })
                let pause = shouldPause.subtracting(paused).filter { deliveredSinceResume[$0, default: 0] >= Self.recordsPerAlignmentCycle }
                let resume = paused.subtracting(shouldPause)
                if !pause.isEmpty || !resume.isEmpty {
                    try processor.consumer.pause(pause.sorted())
                    pauses += pause.count
                    try processor.consumer.resume(resume.sorted())
                    for partition in resume { deliveredSinceResume[partition] = 0 }
                    paused = paused.subtracting(resume).union(pause)
                    processor.logger.debug("alignment", metadata: ["paused": "\(paused.map(\.partition).sorted())"])
                }
                // A partition with records still to read is not idle, however long the consumer spends on the others'
                // batches (a replay delivers each partition in bursts of a whole fetch): only a caught-up partition can
                // go idle. One never fetched yet may have records too, and a paused one has records held back on purpose.
                for partition in assigned {
                    let next = positions[partition]
                    let lagging = processor.consumer.cachedOffsets(of: partition).map { $0.high > (next ?? $0.low) } ?? true
                    if lagging || paused.contains(partition) { stream.keepAlive(partition: Int(partition.partition), clockMs: clockMs) }
                }
            }

            /// Newly assigned partitions: each continues the event clock its previous owner wrote into the metadata of
            /// the group's committed offset (a partition without one, or whose metadata cannot be read, starts afresh).
            private mutating func adopt(_ partitions: Set<KafkaPartition>, clockMs: Int64) {
                guard !partitions.isEmpty else { return }
                var committed: [KafkaPartition: KafkaCommittedOffset] = [:]
                do {
                    committed = try processor.consumer.committed(partitions.sorted(), timeout: .seconds(5))
                } catch {
                    processor.logger.warning(
                        "could not read the committed offsets; the partitions' clocks start afresh", metadata: ["error": "\(error)"])
                }
                for partition in partitions.sorted() {
                    if let handover = committed[partition]?.metadata.flatMap(PartitionClockHandover.init(encoded:)) {
                        stream.adopt(handover, partition: Int(partition.partition), clockMs: clockMs, output: &buffer)
                        let frontier = ISO8601.format(Timestamp(millisecondsSinceEpoch: handover.frontier), style: .zulu)
                        ProgressReporter.writeStderr(
                            "\(Stream.command): \(partition.topic)/\(partition.partition) continues the event clock its previous owner committed (frontier \(frontier))\n"
                        )
                    } else {
                        stream.register(partition: Int(partition.partition), clockMs: clockMs)
                    }
                }
            }

            /// A partition the group took away. The records its clock held are dropped: the offset committed for it
            /// stopped at the oldest of them, so its next owner reads them again. Should the partition come back, this
            /// member reads them again too (its position goes back to that offset).
            private mutating func revoke(_ partition: KafkaPartition) {
                let id = Int(partition.partition)
                if let held = stream.oldestHeldOffset(partition: id), let next = positions[partition] {
                    positions[partition] = min(next, held)
                }
                stream.remove(partition: id, output: &buffer)
            }

            /// What the group may be told for each owned partition: the next offset, but no further than the oldest
            /// record the clock holds, and the partition's clock as the offset's metadata.
            private func groupOffsets(owned: Set<KafkaPartition>) -> (offsets: [KafkaPartition: Int64], metadata: [KafkaPartition: String])
            {
                var offsets: [KafkaPartition: Int64] = [:]
                var metadata: [KafkaPartition: String] = [:]
                for (partition, next) in positions where owned.contains(partition) {
                    let id = Int(partition.partition)
                    offsets[partition] = min(next, stream.oldestHeldOffset(partition: id) ?? next)
                    metadata[partition] = stream.handover(partition: id)?.encoded
                }
                return (offsets, metadata)
            }

            /// Feeds one record, unless the state already includes it (records below `positions`, after a restart or
            /// when the group hands back a partition from an older committed offset).
            private mutating func feed(_ record: KafkaRecordView, clockMs: Int64) throws {
                if skip?.partition != record.partition { skip = (record.partition, positions[record.partition] ?? 0) }
                guard record.offset >= skip!.below else { return }
                try stream.consume(
                    record: record.value, partition: Int(record.partition.partition), offset: record.offset,
                    clockMs: clockMs, output: &buffer)
            }

            /// `positions` of the partition of the previous record (looked up once per run of records, not per record).
            var skip: (partition: KafkaPartition, below: Int64)?

            /// Results first, then the state that produced them, then the offsets.
            private mutating func commit() async throws {
                try await output.emit(&buffer)
                try await output.flush()
                if let path = processor.checkpointPath {
                    let saved = positions.sorted { $0.key < $1.key }.map {
                        KafkaProcessorCheckpoint.Position(topic: $0.key.topic, partition: $0.key.partition, next: $0.value)
                    }
                    try KafkaProcessorCheckpoint(source: processor.sourceName, positions: saved, state: stream.checkpoint()).save(to: path)
                }
                do {
                    // Only partitions this member still owns: after a rebalance, a revoked partition's offset belongs to
                    // its new owner, and committing ours could move it backwards. And only those the stream knows: one
                    // the group has just handed (back) to this member must first adopt the clock committed with it.
                    let group = groupOffsets(owned: try processor.consumer.assignment().intersection(assigned))
                    try processor.consumer.commit(group.offsets, metadata: group.metadata)
                } catch {
                    // Not fatal: the checkpoint holds the positions, and a restart skips what it already counted; the
                    // group's offsets only say where fetching starts.
                    processor.logger.warning("offset commit failed; the checkpoint keeps the positions", metadata: ["error": "\(error)"])
                }
            }
        }
    }
#endif
