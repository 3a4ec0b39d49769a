import Testing

@testable import TallyCore

@Suite("ISO-8601 timestamps")
struct ISO8601Tests {
    static let base: Int64 = 1_635_254_821_000  // 2021-10-26T13:27:01Z

    @Test(arguments: [
        "2021-10-26T13:27:01+0000", "2021-10-26T13:27:01+00:00", "2021-10-26T13:27:01Z", "2021-10-26T13:27:01z",
        "2021-10-26T15:27:01+02:00", "2021-10-26T15:27:01+0200", "2021-10-26T15:27:01+02", "2021-10-26T08:57:01-04:30",
        "2021-10-26 13:27:01Z", "2021-10-26T13:27:01.000Z",
    ])
    func acceptsEveryZoneSpelling(_ text: String) throws {
        #expect(try ISO8601.parse(text).millisecondsSinceEpoch == Self.base)
    }

    /// Seconds too large for milliseconds saturate at the ends of time instead of trapping.
    @Test func secondsThatOverflowMillisecondsSaturate() {
        #expect(Timestamp(secondsSinceEpoch: 1_635_253_200).millisecondsSinceEpoch == 1_635_253_200_000)
        #expect(Timestamp(secondsSinceEpoch: .max / 999).millisecondsSinceEpoch == .max)
        #expect(Timestamp(secondsSinceEpoch: .min / 999).millisecondsSinceEpoch == .min)
    }

    @Test func keepsMillisecondsAndTruncatesFinerFractions() throws {
        #expect(try ISO8601.parse("2021-10-26T13:27:01.5Z").millisecondsSinceEpoch == Self.base + 500)
        #expect(try ISO8601.parse("2021-10-26T13:27:01.123456789+00:00").millisecondsSinceEpoch == Self.base + 123)
        #expect(try ISO8601.parse("2021-10-26T13:27:01,25Z").millisecondsSinceEpoch == Self.base + 250)
    }

    @Test(arguments: [
        "", "2021-10-26", "2021-10-26T13:27:01", "2021-13-26T13:27:01Z", "2021-02-29T00:00:00Z",
        "2021-10-26T24:00:00Z", "2021-10-26T13:60:00Z", "2021-10-26T13:27:01+2500", "2021-10-26T13:27:01Zjunk",
        "2021-10-26T13:27:01.Z", "21-10-26T13:27:01Z", "2021/10/26T13:27:01Z", "1635254821",
    ])
    func rejectsInvalid(_ text: String) {
        #expect(throws: ISO8601.ParseError.self) { try ISO8601.parse(text) }
    }

    @Test func acceptsLeapDay() throws {
        let leap = try ISO8601.parse("2024-02-29T12:00:00Z")
        #expect(ISO8601.format(leap, style: .zulu) == "2024-02-29T12:00:00Z")
    }

    @Test func formatsBothStyles() {
        let time = Timestamp(millisecondsSinceEpoch: Self.base)
        #expect(ISO8601.format(time, style: .zulu) == "2021-10-26T13:27:01Z")
        #expect(ISO8601.format(time, style: .numericOffset) == "2021-10-26T13:27:01+0000")
        #expect(ISO8601.format(Timestamp(millisecondsSinceEpoch: Self.base + 7), style: .zulu) == "2021-10-26T13:27:01.007Z")
        #expect(ISO8601.format(Timestamp(millisecondsSinceEpoch: -1000), style: .zulu) == "1969-12-31T23:59:59Z")
    }

    @Test func formatThenParseRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ms = Int64.random(in: 0...253_402_300_799_999, using: &generator)
            let time = Timestamp(millisecondsSinceEpoch: ms)
            #expect(try ISO8601.parse(ISO8601.format(time, style: .zulu)) == time)
        }
    }
}

@Suite("Civil dates")
struct CivilDateTests {
    @Test func knownDates() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CivilDate(year: 2000, month: 3, day: 1).daysSinceEpoch == 11_017)
        #expect(CivilDate(daysSinceEpoch: -1) == CivilDate(year: 1969, month: 12, day: 31))
        #expect(CivilDate(year: 1970, month: 1, day: 1).isoWeekday == 4)
        #expect(CivilDate(year: 2024, month: 1, day: 1).isoWeekday == 1)
        #expect(CivilDate(year: 2026, month: 11, day: 22).isoWeekday == 7)
    }

    @Test func everyDayRoundTripsAcrossFourCenturies() {
        var expected = CivilDate(year: 1900, month: 1, day: 1)
        for days in CivilDate(year: 1900, month: 1, day: 1).daysSinceEpoch...CivilDate(year: 2300, month: 12, day: 31).daysSinceEpoch {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date == expected)
            #expect(date.daysSinceEpoch == days)
            if expected.day < CivilDate.daysInMonth(year: expected.year, month: expected.month) {
                expected.day += 1
            } else if expected.month < 12 {
                expected = CivilDate(year: expected.year, month: expected.month + 1, day: 1)
            } else {
                expected = CivilDate(year: expected.year + 1, month: 1, day: 1)
            }
        }
    }

    @Test func leapYears() {
        #expect(CivilDate.isLeapYear(2000))
        #expect(!CivilDate.isLeapYear(1900))
        #expect(CivilDate.isLeapYear(2024))
        #expect(!CivilDate.isLeapYear(2023))
    }
}
