#if Kafka
    import CRdKafka
    import Dispatch
    import Foundation
    import Synchronization

    /// Where Kafka stored a produced message.
    package struct KafkaDeliveryReport: Hashable, Sendable {
        package var partition: Int32
        package var offset: Int64
    }

    /// An idempotent producer (`enable.idempotence=true`, `acks=all`): `send` returns once the brokers have the message
    /// (the delivery report), or throws the error that lost it.
    ///
    /// librdkafka's handles are thread-safe, so the class is `@unchecked Sendable`; a dedicated thread serves its delivery
    /// reports (`rd_kafka_poll`), each resuming the continuation of the `send` that produced the message. Its local queue
    /// is bounded (`queue.buffering.max.messages`): when full, `send` waits and retries, which is the back-pressure.
    package final class KafkaProducer: @unchecked Sendable {
        let handle: OpaquePointer
        private let topics = Mutex<[String: TopicHandle]>([:])
        private let poller: KafkaPoller

        /// A librdkafka handle (client or topic); thread-safe by librdkafka's contract.
        struct TopicHandle: @unchecked Sendable { let pointer: OpaquePointer }

        package init(brokers: String, properties: [String: String] = [:]) throws {
            var settings = [
                "bootstrap.servers": brokers, "enable.idempotence": "true", "acks": "all",
                "queue.buffering.max.messages": "100000", "linger.ms": "2",
            ]
            settings.merge(properties) { $1 }
            let conf = try KafkaClientConfiguration(properties: settings).make()
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReport)
            handle = try KafkaClientConfiguration.newClient(RD_KAFKA_PRODUCER, conf)
            let client = TopicHandle(pointer: handle)
            poller = KafkaPoller { rd_kafka_poll(client.pointer, 50) }
        }

        /// Produces one message (`key` chooses the partition) and returns when it is acknowledged by the brokers.
        @discardableResult
        package func send(topic: String, key: [UInt8]?, value: [UInt8]) async throws -> KafkaDeliveryReport {
            try await send(topic: topic, messages: [(key, value)])[0]
        }

        /// Sends every message and returns when all are acknowledged (reports in input order), or throws the first
        /// error. Messages are handed to librdkafka one after another in input order, so messages with one key keep
        /// their order in its partition (the idempotent producer keeps it across retries); only the waits overlap.
        package func send(topic: String, messages: [(key: [UInt8]?, value: [UInt8])]) async throws -> [KafkaDeliveryReport] {
            let rkt = try topicHandle(topic)
            let batch = BatchDelivery(count: messages.count)
            for (index, message) in messages.enumerated() {
                while true {
                    let slot = Unmanaged.passRetained(DeliverySlot(batch: batch, index: index))
                    let status = message.value.withUnsafeBytes { valueBytes in
                        (message.key ?? []).withUnsafeBytes { keyBytes in
                            // -1: RD_KAFKA_PARTITION_UA (the partitioner picks by key); 0x2: RD_KAFKA_MSG_F_COPY.
                            rd_kafka_produce(
                                rkt.pointer, -1, 0x2,
                                UnsafeMutableRawPointer(mutating: valueBytes.baseAddress), valueBytes.count,
                                message.key == nil ? nil : keyBytes.baseAddress, message.key == nil ? 0 : keyBytes.count,
                                slot.toOpaque())
                        }
                    }
                    if status == 0 { break }
                    slot.release()
                    let error = rd_kafka_last_error()
                    guard error == RD_KAFKA_RESP_ERR__QUEUE_FULL else {
                        batch.abandon(from: index, KafkaError(error, "producing to \(topic)"))
                        return try await batch.wait()
                    }
                    // The local queue is full: wait for deliveries to make room (back-pressure), then retry.
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            return try await batch.wait()
        }

        /// Waits until every produced message is delivered (or `timeout` passes), then stops and frees the client.
        package func close(timeout: Duration = .seconds(10)) {
            _ = rd_kafka_flush(handle, Int32(timeout.components.seconds * 1000))
            poller.stop()
            topics.withLock { handles in
                for handle in handles.values { rd_kafka_topic_destroy(handle.pointer) }
                handles.removeAll()
            }
            rd_kafka_destroy(handle)
        }

        private func topicHandle(_ name: String) throws -> TopicHandle {
            try topics.withLock { handles in
                if let existing = handles[name] { return existing }
                guard let pointer = rd_kafka_topic_new(handle, name, nil) else {
                    throw KafkaError(rd_kafka_last_error(), "opening topic \(name)")
                }
                handles[name] = TopicHandle(pointer: pointer)
                return handles[name]!
            }
        }
    }

    /// The deliveries of one `send`: librdkafka reports each message on the polling thread, and the sender waits for
    /// all of them.
    final class BatchDelivery: Sendable {
        private struct State {
            var reports: [KafkaDeliveryReport?]
            var remaining: Int
            var error: KafkaError?
            var continuation: CheckedContinuation<[KafkaDeliveryReport], any Error>?
        }

        private let state: Mutex<State>

        init(count: Int) {
            state = Mutex(State(reports: Array(repeating: nil, count: count), remaining: count))
        }

        func delivered(_ index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
            let finished = state.withLock { state -> (CheckedContinuation<[KafkaDeliveryReport], any Error>, State)? in
                switch result {
                case .success(let report): state.reports[index] = report
                case .failure(let error): if state.error == nil { state.error = error }
                }
                state.remaining -= 1
                guard state.remaining == 0, let continuation = state.continuation else { return nil }
                state.continuation = nil
                return (continuation, state)
            }
            if let (continuation, final) = finished { Self.resume(continuation, final) }
        }

        /// Messages from `index` on were never handed to librdkafka.
        func abandon(from index: Int, _ error: KafkaError) {
            let count = state.withLock { $0.reports.count }
            for unsent in index..<count { delivered(unsent, .failure(error)) }
        }

        func wait() async throws -> [KafkaDeliveryReport] {
            try await withCheckedThrowingContinuation { continuation in
                let final = state.withLock { state -> State? in
                    guard state.remaining == 0 else {
                        state.continuation = continuation
                        return nil
                    }
                    return state
                }
                if let final { Self.resume(continuation, final) }
            }
        }

        private static func resume(_ continuation: CheckedContinuation<[KafkaDeliveryReport], any Error>, _ state: State) {
            if let error = state.error {
                continuation.resume(throwing: error)
            } else {
                continuation.resume(returning: state.reports.map { $0! })
            }
        }
    }

    /// One message of a `BatchDelivery`, passed through librdkafka as the message's opaque pointer.
    final class DeliverySlot {
        let batch: BatchDelivery
        let index: Int
        init(batch: BatchDelivery, index: Int) {
            self.batch = batch
            self.index = index
        }
    }

    /// Called by librdkafka on the polling thread once per message: delivered or failed for good.
    private let deliveryReport: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, _ in
        guard let message, let opaque = message.pointee._private else { return }
        let slot = Unmanaged<DeliverySlot>.fromOpaque(opaque).takeRetainedValue()
        let result = message.pointee
        if result.err == RD_KAFKA_RESP_ERR_NO_ERROR {
            slot.batch.delivered(slot.index, .success(KafkaDeliveryReport(partition: result.partition, offset: result.offset)))
        } else {
            slot.batch.delivered(slot.index, .failure(KafkaError(result.err, "delivering to partition \(result.partition)")))
        }
    }

    /// A thread that calls librdkafka's blocking poll until stopped, so that no task of the cooperative pool blocks.
    final class KafkaPoller: @unchecked Sendable {
        private let running = Atomic<Bool>(true)
        private let finished = DispatchSemaphore(value: 0)

        init(_ poll: @escaping @Sendable () -> Void) {
            let thread = Thread { [self] in
                while running.load(ordering: .acquiring) { poll() }
                finished.signal()
            }
            thread.name = "tally-kafka-poll"
            thread.start()
        }

        func stop() {
            guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
            finished.wait()
        }
    }
#endif
