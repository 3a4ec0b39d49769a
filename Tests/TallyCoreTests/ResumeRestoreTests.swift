import Testing

@testable import TallyCore

@Suite("Resume windows restored from stored arrays")
struct ResumeRestoreTests {
    private func time(_ text: String) -> Timestamp { try! ISO8601.parse(text) }

    private func heartbeat(_ user: String, _ movie: String, _ position: Int64, _ at: String) -> Heartbeat {
        Heartbeat(userId: user, movieId: movie, duration: 7200, position: position, timestamp: time(at))
    }

    @Test func aStoredArrayReadsBackAsItsPoints() throws {
        let window = WindowUnit.minute.window(containing: time("2021-10-26T13:27:00Z"))
        let points = [
            ResumePoint(movieId: #"a"b"#, position: 12, timestamp: time("2021-10-26T13:27:30.250Z"), arrival: 7),
            ResumePoint(movieId: "é\u{1}", position: 0, timestamp: time("2021-10-26T13:27:59Z"), arrival: 9),
        ]
        var bytes: [UInt8] = []
        ResumeOutputFormat.compact.write(ResumeWindowOutput(window: window, userId: "u\\", points: points, revision: 2), into: &bytes)
        bytes.removeLast()
        let read = try #require(ResumePoint.points(fromStoredArray: bytes))
        #expect(read.map(\.movieId) == [#"a"b"#, "é\u{1}"])
        #expect(read.map(\.position) == [12, 0])
        // The stored format keeps whole seconds.
        #expect(read.map(\.timestamp) == [time("2021-10-26T13:27:30Z"), time("2021-10-26T13:27:59Z")])
        #expect(read.allSatisfy { $0.arrival == 0 })
    }

    @Test(arguments: [
        #"{}"#, #"[1]"#, #"[{"movieId":"m","position":1}]"#, #"[{"movieId":"m","position":1.5,"timestamp":"2021-10-26T13:27:30+0000"}]"#,
        #"[] x"#,
    ])
    func textThatIsNotAStoredArrayReadsAsNothing(text: String) {
        #expect(ResumePoint.points(fromStoredArray: Array(text.utf8)) == nil)
    }

    @Test func aLateHeartbeatRevisesARestoredWindowInsteadOfStartingAfresh() {
        var processor = ResumeWindowProcessor(configuration: ResumeConfiguration(late: .emit, corroboration: 1))
        let window = WindowUnit.minute.window(containing: time("2021-10-26T13:27:00Z"))
        processor.restoreClosed(
            window, user: "u", points: [ResumePoint(movieId: "m", position: 1, timestamp: time("2021-10-26T13:27:30Z"), arrival: 0)],
            revision: 3)
        var outputs: [ResumeWindowOutput] = []
        processor.apply(heartbeat("u", "m", 2, "2021-10-26T13:28:30Z"), into: &outputs)
        processor.apply(heartbeat("u", "n", 4, "2021-10-26T13:27:55Z"), into: &outputs)
        let revised = outputs.filter { $0.window == window }
        #expect(revised.count == 1)
        #expect(revised.first?.revision == 4)
        #expect(revised.first?.points.map(\.movieId) == ["m", "n"])
    }
}
