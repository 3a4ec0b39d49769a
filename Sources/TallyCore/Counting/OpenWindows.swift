extension UniqueWindowCounter {
    /// One unit's open windows in start order, with the windows themselves kept beside their states.
    ///
    /// Every frame looks its window up and changes its state. A window's state holds a sketch whose copy costs
    /// reference counting, so lookups and the watermark's checks read the windows alone (plain values), and states
    /// live in an array, which changes an element in place; a `Deque` changes one by moving it out and copying it back,
    /// a retain and a release per frame. Windows leave from the front, which shifts the arrays, but only as the
    /// watermark passes a window's end, not per frame.
    struct OpenWindows: Sendable {
        private(set) var windows: [EventWindow] = []
        private var states: [WindowState] = []

        init(_ states: [WindowState] = []) {
            self.states = states
            windows = states.map(\.window)
        }

        var count: Int { states.count }

        /// The states, oldest first (for results and checkpoints).
        var all: [WindowState] { states }

        /// The state of the open window at `index`, changed in place.
        subscript(index: Int) -> WindowState {
            get { states[index] }
            _modify { yield &states[index] }
        }

        /// Index of `window`, created empty in start order if it is not open yet.
        mutating func index(of window: EventWindow, exact: Bool, precision: Int) -> Int {
            // Most frames go to the newest window.
            let newest = windows.endIndex - 1
            if newest >= 0, windows[newest].start == window.start { return newest }
            let position = windows.firstIndex(startingAtOrAfter: window.start) { $0 }
            if position < windows.endIndex, windows[position].start == window.start { return position }
            windows.insert(window, at: position)
            states.insert(
                WindowState(window: window, sketch: .empty(exact: exact, precision: precision), frames: 0, revision: 0, dirty: false),
                at: position)
            return position
        }

        /// Removes and returns the oldest windows for which `isComplete` holds, up to the first for which it does not.
        mutating func removeComplete(_ isComplete: (EventWindow) -> Bool) -> [WindowState] {
            let done = windows.prefix(while: isComplete).count
            guard done > 0 else { return [] }
            let removed = Array(states.prefix(done))
            windows.removeFirst(done)
            states.removeFirst(done)
            return removed
        }
    }
}
