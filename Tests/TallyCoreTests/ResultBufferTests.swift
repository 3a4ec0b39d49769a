import Testing

@testable import TallyCore

/// Results carry the key that keeps them in order on a Kafka topic, written by the stream that made them.
@Suite struct ResultBufferTests {
    /// Each result's key and text, as a topic gets them.
    static func results(_ buffer: ResultBuffer) -> [(key: String, text: String)] {
        buffer.map { (String(decoding: $0.key, as: UTF8.self), String(decoding: $0.text, as: UTF8.self)) }
    }

    @Test func countResultsAreKeyedByWindowAndStart() {
        var stream = CountStream(configuration: CountConfiguration(units: [.minute, .hour], exact: true))
        var output = ResultBuffer()
        let frames = #"{"uid":"a","ts":1468244384}"# + "\n" + #"{"uid":"b","ts":1468244444}"# + "\n"
        Array(frames.utf8).withUnsafeBytes { stream.feed($0, output: &output) }
        stream.finish(output: &output)
        let results = Self.results(output)
        #expect(
            results.map(\.key) == ["minute/2016-07-11T13:39:00Z", "minute/2016-07-11T13:40:00Z", "hour/2016-07-11T13:00:00Z"])
        // The text is the file's lines without their newlines, and every key names its own result.
        #expect(results.map(\.text).joined(separator: "\n") + "\n" == String(decoding: output.text, as: UTF8.self))
        for result in results {
            let parts = result.key.split(separator: "/")
            #expect(result.text.contains(#""window":"\#(parts[0])","start":"\#(parts[1])""#))
        }
        output.removeAll()
        #expect(output.isEmpty && output.text.isEmpty && Self.results(output).isEmpty)
    }

    /// The key is the user id itself, not its JSON spelling: ids with quotes or non-ASCII letters land with their
    /// other results, whatever escapes the text uses.
    @Test func resumeArraysAreKeyedByTheRawUserId() throws {
        var stream = ResumeStream(configuration: ResumeConfiguration(), format: .pretty)
        var output = ResultBuffer()
        let lines = [
            #"{"userId":"q\"u","movieId":"m","duration":100,"position":5,"timestamp":"2021-10-26T13:27:30Z"}"#,
            #"{"userId":"q\"u","movieId":"n","duration":100,"position":7,"timestamp":"2021-10-26T13:27:40Z"}"#,
            #"{"userId":"\u00e9","movieId":"m","duration":100,"position":6,"timestamp":"2021-10-26T13:27:31Z"}"#,
        ]
        try Array(lines.joined(separator: "\n").utf8).withUnsafeBytes { try stream.feed($0, output: &output) }
        try stream.finish(output: &output)
        let results = Self.results(output)
        #expect(Set(results.map(\.key)) == ["q\"u", "é"])
        // A pretty array spans two lines and is still one result.
        let quoted = try #require(results.first { $0.key == "q\"u" })
        #expect(quoted.text.split(separator: "\n").count == 2)
        #expect(quoted.text.hasPrefix("[") && quoted.text.hasSuffix("]"))
    }
}
