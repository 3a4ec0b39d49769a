/// `tally count --format tfr`: frames as Tally frame records. Nothing is parsed: each record's user id and time are
/// where the format puts them, so a record costs a hash and a sketch insert.
extension CountStream {
    /// A chunk of a stream of records, cut anywhere. Throws when the stream is damaged from some byte on (a record
    /// cannot be skipped the way a bad line can: nothing marks where the next one starts).
    public mutating func feed(records chunk: UnsafeRawBufferPointer, clockMs: Int64? = nil, output: inout ResultBuffer) throws {
        var records = self.records
        defer { self.records = records }
        try records.feed(chunk) { record in add(record, partition: 0, offset: 0, clockMs: clockMs) }
        drain(into: &output)
    }

    /// One record that arrives as a Kafka message at `offset` of `partition` (without its length). A message that
    /// is not a record is counted as malformed and costs only itself.
    public mutating func feed(
        recordBody body: UnsafeRawBufferPointer, partition: Int, offset: Int64, clockMs: Int64? = nil, output: inout ResultBuffer
    ) {
        let number = records.countRecord(bytes: body.count)
        do throws(FrameRecords.Problem) {
            let record = try FrameRecords.read(body: body, number: number)
            add(record, partition: partition, offset: offset, clockMs: clockMs)
        } catch {
            tally.malformed += 1
            noteRecord(number, "not a Tally frame record: \(error)")
        }
        drain(into: &output)
    }

    /// End of one input file of records: it must not end inside a record, and the next file opens with the magic.
    public mutating func endOfRecordFile() throws {
        try records.finish()
        records.expectMagic()
    }

    /// End of input for records: every window closes.
    public mutating func finishRecords(output: inout ResultBuffer) throws {
        try records.finish()
        finish(output: &output)
    }

    private mutating func add(_ record: FrameRecords.Record, partition: Int, offset: Int64, clockMs: Int64?) {
        guard record.timeMs >= 0, record.timeMs <= FrameRecords.maxTimeMs else {
            tally.invalid += 1
            noteRecord(record.number, "time \(record.timeMs) ms is not within 0...\(FrameRecords.maxTimeMs)")
            return
        }
        counter.add(
            hash: XXHash64.hash(record.user), user: record.user, time: Timestamp(millisecondsSinceEpoch: record.timeMs),
            partition: partition, position: offset, clockMs: clockMs, into: &outputs)
    }

    /// A problem of record `number` (reported like a line's, at its record's number).
    private mutating func noteRecord(_ number: Int, _ message: String) {
        guard firstProblems.count < Self.reportedProblems else { return }
        firstProblems.append(Problem(line: number, offset: 0, message: message))
    }
}
