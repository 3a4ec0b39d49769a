#if Kafka
import CRdKafka
import Dispatch
import Foundation
import Synchronization

/// Where Kafka stored a produced message.
public struct KafkaDeliveryReport: Hashable, Sendable {
    public var partition: Int32
    public var offset: Int64
}

/// An idempotent producer (`enable.idempotence=true`, `acks=all`): `send` returns once the brokers have the message
/// (the delivery report), or throws the error that lost it.
///
/// librdkafka's handles are thread-safe, so the class is `@unchecked Sendable`; a dedicated thread serves its delivery
/// reports (`rd_kafka_poll`), each resuming the continuation of the `send` that produced the message. Its local queue
/// is bounded (`queue.buffering.max.messages`): when full, `send` waits and retries, which is the back-pressure.
public final class KafkaProducer: @unchecked Sendable {
    let handle: OpaquePointer
    private let topics = Mutex<[String: TopicHandle]>([:])
    private let poller: KafkaPoller

    /// A librdkafka handle (client or topic); thread-safe by librdkafka's contract.
    struct TopicHandle: @unchecked Sendable { let pointer: OpaquePointer }

    public init(brokers: String, properties: [String: String] = [:]) throws {
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
    public func send(topic: String, key: [UInt8]?, value: [UInt8]) async throws -> KafkaDeliveryReport {
        let rkt = try topicHandle(topic)
        while true {
            let attempt: DeliveryAttempt = try await withCheckedThrowingContinuation { continuation in
                let box = Unmanaged.passRetained(DeliveryBox(continuation))
                let status = value.withUnsafeBytes { valueBytes in
                    (key ?? []).withUnsafeBytes { keyBytes in
                        rd_kafka_produce(
                            rkt.pointer, -1 /* RD_KAFKA_PARTITION_UA: by key */, 0x2 /* RD_KAFKA_MSG_F_COPY */,
                            UnsafeMutableRawPointer(mutating: valueBytes.baseAddress), valueBytes.count,
                            key == nil ? nil : keyBytes.baseAddress, key == nil ? 0 : keyBytes.count, box.toOpaque())
                    }
                }
                guard status != 0 else { return }
                let error = rd_kafka_last_error()
                box.release()
                if error == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    continuation.resume(returning: .queueFull)
                } else {
                    continuation.resume(throwing: KafkaError(error, "producing to \(topic)"))
                }
            }
            switch attempt {
            case .delivered(let report): return report
            case .queueFull: try await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Sends every message and returns when all are acknowledged (in order of the input), or throws the first error.
    public func send(topic: String, messages: [(key: [UInt8]?, value: [UInt8])]) async throws -> [KafkaDeliveryReport] {
        try await withThrowingTaskGroup(of: (Int, KafkaDeliveryReport).self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask { (index, try await self.send(topic: topic, key: message.key, value: message.value)) }
            }
            var reports = [KafkaDeliveryReport?](repeating: nil, count: messages.count)
            for try await (index, report) in group { reports[index] = report }
            return reports.map { $0! }
        }
    }

    /// Waits until every produced message is delivered (or `timeout` passes), then stops and frees the client.
    public func close(timeout: Duration = .seconds(10)) {
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

enum DeliveryAttempt {
    case delivered(KafkaDeliveryReport)
    case queueFull
}

/// The continuation of one `send`, passed through librdkafka as the message's opaque pointer.
final class DeliveryBox {
    let continuation: CheckedContinuation<DeliveryAttempt, any Error>
    init(_ continuation: CheckedContinuation<DeliveryAttempt, any Error>) { self.continuation = continuation }
}

/// Called by librdkafka on the polling thread once per message: delivered or failed for good.
private let deliveryReport: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = { _, message, _ in
    guard let message, let opaque = message.pointee._private else { return }
    let box = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeRetainedValue()
    let result = message.pointee
    if result.err == RD_KAFKA_RESP_ERR_NO_ERROR {
        box.continuation.resume(returning: .delivered(KafkaDeliveryReport(partition: result.partition, offset: result.offset)))
    } else {
        box.continuation.resume(throwing: KafkaError(result.err, "delivering to partition \(result.partition)"))
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
