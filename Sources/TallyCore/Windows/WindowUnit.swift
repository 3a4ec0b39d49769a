/// The size of a tumbling event-time window, aligned to UTC.
///
/// Fixed sizes (`seconds`) are aligned to the Unix epoch; calendar units follow the calendar: a day starts at
/// 00:00 UTC, a week on Monday (ISO 8601), a month on the 1st, a year on January 1st. Calendar units are not
/// multiples of each other (a month is not 4 weeks), so each is computed from the civil date, not by division.
public enum WindowUnit: Hashable, Sendable, CustomStringConvertible {
    /// A fixed size in whole seconds (> 0).
    case seconds(Int64)
    /// 60 seconds.
    case minute
    /// 3,600 seconds, from a whole hour.
    case hour
    /// 00:00 UTC to the next 00:00 UTC.
    case day
    /// ISO week, Monday 00:00 UTC to the next Monday.
    case week
    /// The 1st, 00:00 UTC, to the next month's.
    case month
    /// January 1st, 00:00 UTC, to the next year's.
    case year

    /// Parses `minute`, `hour`, `day`, `week`, `month`, `year`, or a fixed size such as `30s`, `5m`, `2h`.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "minute", "1m": self = .minute
        case "hour", "1h": self = .hour
        case "day", "1d": self = .day
        case "week", "1w": self = .week
        case "month": self = .month
        case "year": self = .year
        default:
            let lower = text.lowercased()
            guard let suffix = lower.last, let number = Int64(lower.dropLast()), number > 0 else { return nil }
            let unitSeconds: Int64
            switch suffix {
            case "s": unitSeconds = 1
            case "m": unitSeconds = 60
            case "h": unitSeconds = 3600
            default: return nil
            }
            // Milliseconds must fit too: windows are kept in milliseconds.
            let (seconds, overflow) = number.multipliedReportingOverflow(by: unitSeconds)
            guard !overflow, seconds <= Int64.max / 1000 else { return nil }
            self = .seconds(seconds)
        }
    }

    public var description: String {
        switch self {
        case .seconds(let n): return "\(n)s"
        case .minute: return "minute"
        case .hour: return "hour"
        case .day: return "day"
        case .week: return "week"
        case .month: return "month"
        case .year: return "year"
        }
    }

    /// The window of this size that contains `time`.
    public func window(containing time: Timestamp) -> EventWindow {
        let ms = time.millisecondsSinceEpoch
        switch self {
        case .seconds(let n): return fixed(ms, sizeMs: n * 1000)
        case .minute: return fixed(ms, sizeMs: 60_000)
        case .hour: return fixed(ms, sizeMs: 3_600_000)
        case .day: return fixed(ms, sizeMs: 86_400_000)
        case .week:
            let day = Self.floorDiv(ms, 86_400_000)
            let mondayIndex = ((day + 3) % 7 + 7) % 7  // 1970-01-01 was a Thursday: index 3 from Monday.
            let start = (day - mondayIndex) * 86_400_000
            return EventWindow(
                unit: self, start: Timestamp(millisecondsSinceEpoch: start),
                end: Timestamp(millisecondsSinceEpoch: start + 7 * 86_400_000))
        case .month:
            let date = CivilDate(daysSinceEpoch: Int(Self.floorDiv(ms, 86_400_000)))
            let start = CivilDate(year: date.year, month: date.month, day: 1)
            let next =
                date.month == 12
                ? CivilDate(year: date.year + 1, month: 1, day: 1)
                : CivilDate(year: date.year, month: date.month + 1, day: 1)
            return calendar(start, next)
        case .year:
            let date = CivilDate(daysSinceEpoch: Int(Self.floorDiv(ms, 86_400_000)))
            return calendar(CivilDate(year: date.year, month: 1, day: 1), CivilDate(year: date.year + 1, month: 1, day: 1))
        }
    }

    private func fixed(_ ms: Int64, sizeMs: Int64) -> EventWindow {
        let start = Self.floorDiv(ms, sizeMs) * sizeMs
        return EventWindow(
            unit: self, start: Timestamp(millisecondsSinceEpoch: start),
            end: Timestamp(millisecondsSinceEpoch: start + sizeMs))
    }

    private func calendar(_ start: CivilDate, _ end: CivilDate) -> EventWindow {
        EventWindow(
            unit: self, start: Timestamp(millisecondsSinceEpoch: Int64(start.daysSinceEpoch) * 86_400_000),
            end: Timestamp(millisecondsSinceEpoch: Int64(end.daysSinceEpoch) * 86_400_000))
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
