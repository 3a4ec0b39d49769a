/// Finding a window's place among open windows kept in start order: a binary search, because a replay read
/// unevenly across partitions holds thousands of open windows and the slowest partition's events land near the
/// front, far from the newest end.
extension RandomAccessCollection where Index == Int {
    /// The first index whose window starts at or after `start` (`endIndex` when none does).
    func firstIndex(startingAtOrAfter start: Timestamp, by window: (Element) -> EventWindow) -> Int {
        // The newest window is the common case: check it before searching.
        if let last = self.last, window(last).start < start { return endIndex }
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if window(self[middle]).start < start { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
