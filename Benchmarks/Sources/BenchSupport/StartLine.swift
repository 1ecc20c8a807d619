import Synchronization

/// Holds workers until all of them are ready, then releases them together and notes when.
public final class StartLine: Sendable {
    private let state: Mutex<(waiting: [CheckedContinuation<Void, Never>], opened: ContinuousClock.Instant?)>
    private let expected: Int

    public init(workers: Int) {
        expected = workers
        state = Mutex(([], nil))
    }

    public func arrive() async {
        await withCheckedContinuation { continuation in
            let released: [CheckedContinuation<Void, Never>] = state.withLock { state in
                state.waiting.append(continuation)
                guard state.waiting.count == expected else { return [] }
                state.opened = .now
                defer { state.waiting = [] }
                return state.waiting
            }
            for waiter in released { waiter.resume() }
        }
    }

    public var openedAt: ContinuousClock.Instant? { state.withLock { $0.opened } }
}
