import Testing

@testable import TallyCore

private func t(_ text: String) -> Timestamp { try! ISO8601.parse(text) }

private func window(_ unit: WindowUnit, _ time: String) -> (String, String) {
    let w = unit.window(containing: t(time))
    return (ISO8601.format(w.start, style: .zulu), ISO8601.format(w.end, style: .zulu))
}

@Suite("Tumbling windows")
struct WindowUnitTests {
    @Test func fixedSizesAlignToTheEpoch() {
        #expect(window(.minute, "2021-10-26T13:27:01Z") == ("2021-10-26T13:27:00Z", "2021-10-26T13:28:00Z"))
        #expect(window(.minute, "2021-10-26T13:27:00Z") == ("2021-10-26T13:27:00Z", "2021-10-26T13:28:00Z"))
        #expect(window(.minute, "2021-10-26T13:27:59.999Z") == ("2021-10-26T13:27:00Z", "2021-10-26T13:28:00Z"))
        #expect(window(.hour, "2021-10-26T13:59:59Z") == ("2021-10-26T13:00:00Z", "2021-10-26T14:00:00Z"))
        #expect(window(.day, "2021-10-26T00:00:00Z") == ("2021-10-26T00:00:00Z", "2021-10-27T00:00:00Z"))
        #expect(window(.seconds(15), "2021-10-26T13:27:44Z") == ("2021-10-26T13:27:30Z", "2021-10-26T13:27:45Z"))
        #expect(window(.minute, "1969-12-31T23:59:30Z") == ("1969-12-31T23:59:00Z", "1970-01-01T00:00:00Z"))
    }

    @Test func isoWeeksStartOnMonday() {
        // 2021-10-26 is a Tuesday.
        #expect(window(.week, "2021-10-26T13:27:01Z") == ("2021-10-25T00:00:00Z", "2021-11-01T00:00:00Z"))
        // Sunday belongs to the week that started the Monday before.
        #expect(window(.week, "2021-10-31T23:59:59Z") == ("2021-10-25T00:00:00Z", "2021-11-01T00:00:00Z"))
        #expect(window(.week, "2021-11-01T00:00:00Z") == ("2021-11-01T00:00:00Z", "2021-11-08T00:00:00Z"))
        // ISO week 53 of 2020 runs from Monday 2020-12-28 into 2021.
        #expect(window(.week, "2021-01-03T12:00:00Z") == ("2020-12-28T00:00:00Z", "2021-01-04T00:00:00Z"))
        #expect(window(.week, "1970-01-01T00:00:00Z") == ("1969-12-29T00:00:00Z", "1970-01-05T00:00:00Z"))
    }

    @Test func monthsAndYearsFollowTheCalendar() {
        #expect(window(.month, "2024-02-29T23:59:59Z") == ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"))
        #expect(window(.month, "2023-02-28T12:00:00Z") == ("2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z"))
        #expect(window(.month, "2021-12-31T23:59:59Z") == ("2021-12-01T00:00:00Z", "2022-01-01T00:00:00Z"))
        #expect(window(.month, "2022-01-01T00:00:00Z") == ("2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"))
        #expect(window(.year, "2024-12-31T23:59:59.999Z") == ("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"))
        #expect(window(.year, "2025-01-01T00:00:00Z") == ("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))
        let leap = WindowUnit.year.window(containing: t("2024-06-01T00:00:00Z"))
        #expect(leap.end.millisecondsSinceEpoch - leap.start.millisecondsSinceEpoch == 366 * 86_400_000)
    }

    @Test func everyInstantLiesInItsWindow() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let time = Timestamp(millisecondsSinceEpoch: Int64.random(in: -10_000_000_000_000...10_000_000_000_000, using: &generator))
            for unit in [WindowUnit.seconds(7), .minute, .hour, .day, .week, .month, .year] {
                let w = unit.window(containing: time)
                #expect(w.contains(time), "\(unit) \(time)")
                #expect(unit.window(containing: w.start) == w)
                #expect(unit.window(containing: w.end).start == w.end)
            }
        }
    }

    @Test func parsesUnits() {
        #expect(WindowUnit("minute") == .minute)
        #expect(WindowUnit("WEEK") == .week)
        #expect(WindowUnit("30s") == .seconds(30))
        #expect(WindowUnit("5m") == .seconds(300))
        #expect(WindowUnit("2h") == .seconds(7200))
        #expect(WindowUnit("0s") == nil)
        #expect(WindowUnit("fortnight") == nil)
        // Sizes whose seconds or milliseconds overflow 64 bits are refused, not a trap.
        #expect(WindowUnit("9223372036854775807h") == nil)
        #expect(WindowUnit("9223372036854775807s") == nil)
        #expect(WindowUnit("9223372036854775s") == .seconds(9_223_372_036_854_775))
    }
}

@Suite("Watermark of one partition")
struct WatermarkTests {
    static func clock(idle: Duration = .seconds(5)) -> EventClock<Int> {
        EventClock(configuration: EventClockConfiguration(lateness: .seconds(10), idleTimeout: idle, corroboration: 1))
    }

    @Test func trailsTheLargestEventTimeByTheLateness() {
        var mark = Self.clock()
        #expect(mark.current == nil)
        do {
            let moved = mark.observe(Timestamp(secondsSinceEpoch: 100))
            #expect(moved)
        }
        #expect(mark.current == Timestamp(secondsSinceEpoch: 90))
        do {
            let moved = mark.observe(Timestamp(secondsSinceEpoch: 95))
            #expect(!moved)
        }
        #expect(mark.current == Timestamp(secondsSinceEpoch: 90))
        #expect(mark.hasPassed(Timestamp(secondsSinceEpoch: 90)))
        #expect(!mark.hasPassed(Timestamp(secondsSinceEpoch: 91)))
    }

    @Test func advancesWithTheWallClockOnlyWhenIdle() {
        var mark = Self.clock()
        mark.observe(Timestamp(secondsSinceEpoch: 100), clockMs: 1_000)
        do {
            let moved = mark.idle(clockMs: 5_999)
            #expect(!moved)
        }
        #expect(mark.current == Timestamp(secondsSinceEpoch: 90))
        do {
            let moved = mark.idle(clockMs: 6_000)
            #expect(moved)
        }
        #expect(mark.current == Timestamp(secondsSinceEpoch: 95))
        do {
            let moved = mark.idle(clockMs: 16_000)
            #expect(moved)
        }
        #expect(mark.current == Timestamp(secondsSinceEpoch: 105))
        // New events reset idleness; the watermark never goes back.
        mark.observe(Timestamp(secondsSinceEpoch: 101), clockMs: 16_500)
        #expect(mark.current == Timestamp(secondsSinceEpoch: 105))
        mark.finish()
        #expect(mark.hasPassed(Timestamp(millisecondsSinceEpoch: .max - 1)))
    }
}

extension EventClock where Event == Int {
    /// One event of one key on partition 0, applied as a processor would; true when the watermark moved.
    @discardableResult
    mutating func observe(_ time: Timestamp, clockMs: Int64? = nil) -> Bool {
        var moved = false
        if admit(time: time.millisecondsSinceEpoch, key: 1, partition: 0, clockMs: clockMs) {
            moved = trust(time: time.millisecondsSinceEpoch, partition: 0)
        } else {
            hold(0, key: 1, time: time.millisecondsSinceEpoch, partition: 0)
        }
        while let released = popReleased() { moved = trust(time: released.held.time, partition: 0) || moved }
        return moved
    }

    mutating func idle(clockMs: Int64) -> Bool {
        noteIdle(clockMs: clockMs)
        return advanceIdle(clockMs: clockMs)
    }
}
