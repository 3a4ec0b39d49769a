import TallyCore
import Testing

private func parameters(_ query: String) -> [(name: Substring, value: Substring)] {
    query.split(separator: "&").map { pair in
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        return (parts[0], parts.count > 1 ? parts[1] : "")
    }
}

@Suite("Ad analytics query parsing")
struct AdQueryParserTests {
    let parser = AdQueryParser()

    @Test func clickAndImpression() throws {
        let click = try parser.event(parameters("timestamp=1700000000123&user=alice&click"))
        #expect(click == AdEvent(timestamp: Timestamp(millisecondsSinceEpoch: 1_700_000_000_123), user: "alice", interaction: .click))
        let impression = try parser.event(parameters("impression&user=bob&timestamp=0"))
        #expect(impression.interaction == .impression)
        #expect(impression.timestamp.millisecondsSinceEpoch == 0)
    }

    @Test(arguments: [
        ("user=a&click", "timestamp", FieldError.Code.missingField),
        ("timestamp=1&click", "user", .missingField),
        ("timestamp=1&user=&click", "user", .invalidValue),
        ("timestamp=1&user=a", "click", .missingField),
        ("timestamp=1&user=a&click&impression", "impression", .invalidValue),
        ("timestamp=1&user=a&click=yes", "click", .invalidValue),
        ("timestamp=-1&user=a&click", "timestamp", .invalidValue),
        ("timestamp=1.5&user=a&click", "timestamp", .invalidValue),
        ("timestamp=&user=a&click", "timestamp", .invalidValue),
        ("timestamp=253402300800000&user=a&click", "timestamp", .invalidValue),
        ("timestamp=99999999999999999999&user=a&click", "timestamp", .invalidValue),
        ("timestamp=1&user=a&impresion", "impresion", .invalidValue),
        ("timestamp=1&timestamp=2&user=a&click", "timestamp", .duplicateField),
        ("timestamp=1&user=a&click&click", "click", .duplicateField),
    ])
    func rejectsNamingTheParameter(query: String, field: String, code: FieldError.Code) {
        #expect(throws: FieldError.self) { try parser.event(parameters(query)) }
        do {
            _ = try parser.event(parameters(query))
        } catch {
            #expect(error.field == field)
            #expect(error.code == code)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func userLengthIsBounded() throws {
        let long = String(repeating: "u", count: InputLimits.default.maxIdBytes)
        #expect(try parser.event(parameters("timestamp=1&user=\(long)&click")).user == long)
        #expect(throws: FieldError.self) { try parser.event(parameters("timestamp=1&user=\(long)u&click")) }
    }

    @Test func hourQueryTakesOnlyATimestamp() throws {
        #expect(try parser.hour(parameters("timestamp=1700000000000")).startMilliseconds == 1_699_999_200_000)
        #expect(throws: FieldError.self) { try parser.hour(parameters("timestamp=1&user=a")) }
        #expect(throws: FieldError.self) { try parser.hour(parameters("")) }
    }

    /// The hour boundary is exact to the millisecond.
    @Test func hourBoundaryIsExact() {
        let hour: Int64 = 3_600_000
        let start: Int64 = 1_700_002_800_000  // 2023-11-14T23:00:00Z
        #expect(start % hour == 0)
        #expect(AdHour(containing: Timestamp(millisecondsSinceEpoch: start - 1)).startMilliseconds == start - hour)
        #expect(AdHour(containing: Timestamp(millisecondsSinceEpoch: start)).startMilliseconds == start)
        #expect(AdHour(containing: Timestamp(millisecondsSinceEpoch: start + hour - 1)).startMilliseconds == start)
        #expect(AdHour(containing: Timestamp(millisecondsSinceEpoch: 0)).startMilliseconds == 0)
    }

    @Test func reportFormat() {
        #expect(AdHourCounts(uniqueUsers: 3, clicks: 1, impressions: 7).report == "unique_users,3\nclicks,1\nimpressions,7\n")
        #expect(AdHourCounts.zero.report == "unique_users,0\nclicks,0\nimpressions,0\n")
    }
}
