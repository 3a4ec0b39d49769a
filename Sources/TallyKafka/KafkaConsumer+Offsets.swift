#if Kafka
    import CRdKafka
    #if canImport(Glibc)
        import Glibc
    #elseif canImport(Darwin)
        import Darwin
    #endif

    /// A group's committed position in a partition: the next offset to read, and what the committer stored with it.
    package struct KafkaCommittedOffset: Hashable, Sendable {
        package var offset: Int64
        package var metadata: String?

        package init(offset: Int64, metadata: String?) {
            self.offset = offset
            self.metadata = metadata
        }
    }

    /// Offsets: what the consumer commits to its group, and reads back.
    extension KafkaConsumer {
        /// Commits the given next offsets synchronously: returns once the group coordinator stored them. A
        /// partition's `metadata` is stored with its offset (Kafka keeps up to `offset.metadata.max.bytes`, 4 KiB by
        /// default) and read back by whichever member owns the partition next.
        package func commit(_ offsets: [KafkaPartition: Int64], metadata: [KafkaPartition: String] = [:]) throws {
            guard !offsets.isEmpty else { return }
            let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for (partition, offset) in offsets.sorted(by: { $0.key < $1.key }) {
                guard let element = rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) else { continue }
                element.pointee.offset = offset
                if let text = metadata[partition] {
                    // The list owns its elements' metadata and frees it with free(): hand it a malloc'ed copy.
                    let bytes = Array(text.utf8)
                    guard let copy = malloc(max(bytes.count, 1)) else { continue }
                    bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                    element.pointee.metadata = copy
                    element.pointee.metadata_size = bytes.count
                }
            }
            let error = rd_kafka_commit(handle, list, 0)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(error, "committing offsets") }
        }

        /// The offsets (and their metadata) the group has committed for `partitions` (nil where none).
        package func committed(_ partitions: [KafkaPartition], timeout: Duration = .seconds(10)) throws -> [KafkaPartition:
            KafkaCommittedOffset]
        {
            let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for partition in partitions { rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition) }
            let error = rd_kafka_committed(handle, list, Int32(timeout.components.seconds * 1000))
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(error, "reading committed offsets") }
            var result: [KafkaPartition: KafkaCommittedOffset] = [:]
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                guard element.offset >= 0 else { continue }
                var metadata: String?
                if let pointer = element.metadata, element.metadata_size > 0 {
                    metadata = String(decoding: UnsafeRawBufferPointer(start: pointer, count: element.metadata_size), as: UTF8.self)
                }
                result[KafkaPartition(topic: String(cString: element.topic), partition: element.partition)] =
                    KafkaCommittedOffset(offset: element.offset, metadata: metadata)
            }
            return result
        }
    }
#endif
