import Dispatch
import Synchronization

/// A fixed set of lanes handed out one caller at a time, with a FIFO wait queue and a timeout.
final class ConnectionPool: Sendable {
    typealias Waiter = @Sendable (Result<ConnectionLane, any Error>) -> Void

    private struct Waiting {
        let id: UInt64
        let deadline: DispatchTime
        let timeoutSeconds: Double
        let resume: Waiter
    }

    private struct State {
        var idle: [ConnectionLane]
        var waiters: [Waiting] = []
        var nextID: UInt64 = 0
        /// Requests whose id exists but that have not queued yet; a cancellation arriving then is remembered here.
        var registering: [UInt64: Bool] = [:]
        var isClosed = false
        /// When the timer fires next, if it is armed.
        var armedDeadline: DispatchTime?
        /// One timer for all waiters, armed for the earliest deadline. A timer per wait would stay alive for the
        /// whole timeout after its waiter was served: under sustained load, memory growing with the request rate.
        /// Kept in the locked state, so it is only ever touched under the lock.
        let timer: any DispatchSourceTimer
    }

    private let state: Mutex<State>
    let lanes: [ConnectionLane]
    /// Wait timeouts fire here. A private serial queue gets a thread of its own, so a timeout is on time even
    /// when the application has every global and cooperative thread busy.
    private let timerQueue = DispatchQueue(label: "versioned-orm.pool-timeouts")
    init(lanes: [ConnectionLane]) {
        self.lanes = lanes
        state = Mutex(State(idle: lanes.reversed(), timer: DispatchSource.makeTimerSource(queue: timerQueue)))
        state.withLock { state in
            state.timer.setEventHandler { [weak self] in self?.expireWaiters() }
            state.timer.schedule(deadline: .distantFuture)
            state.timer.activate()
        }
    }

    deinit {
        state.withLock { $0.timer.cancel() }
    }

    /// How many waits have a timeout pending: the number of queued waiters, nothing else.
    var pendingTimeouts: Int {
        state.withLock { $0.waiters.count }
    }

    func acquire(timeout: Duration) async throws -> ConnectionLane {
        // An idle lane means nobody is queued (release hands lanes to waiters first): take it without a
        // continuation.
        if let lane = try acquireIfIdle() { return lane }
        let id = reserveID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enqueue(id: id, timeout: timeout) { continuation.resume(with: $0) }
            }
        } onCancel: {
            cancel(id: id)
        }
    }

    func acquireBlocking(timeout: Duration) throws -> ConnectionLane {
        if let lane = try acquireIfIdle() { return lane }
        let id = reserveID()
        let semaphore = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<ConnectionLane, any Error>?>(nil)
        enqueue(id: id, timeout: timeout) { result in
            outcome.withLock { $0 = result }
            semaphore.signal()
        }
        semaphore.wait()
        guard let result = outcome.withLock({ $0 }) else { throw UsageError.databaseClosed }
        return try result.get()
    }

    /// An idle lane, or nil at once when every lane is busy; throws when the pool is closed.
    func acquireIfIdle() throws -> ConnectionLane? {
        try state.withLock { state in
            if state.isClosed { throw UsageError.databaseClosed }
            return state.idle.popLast()
        }
    }

    func release(_ lane: ConnectionLane) {
        let next: Waiter? = state.withLock { state in
            if state.isClosed {
                return nil
            }
            if state.waiters.isEmpty {
                state.idle.append(lane)
                return nil
            }
            return state.waiters.removeFirst().resume
        }
        next?(.success(lane))
    }

    /// Fails every waiter and refuses new requests. Closing the lanes themselves is the caller's next step.
    func close() {
        let waiters = state.withLock { state in
            state.isClosed = true
            let waiting = state.waiters
            state.waiters = []
            state.idle = []
            return waiting
        }
        for waiter in waiters { waiter.resume(.failure(UsageError.databaseClosed)) }
    }

    private func reserveID() -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.registering[state.nextID] = false
            return state.nextID
        }
    }

    private func enqueue(id: UInt64, timeout: Duration, resume: @escaping Waiter) {
        enum Decision { case granted(ConnectionLane), failed(any Error), queued }
        let seconds = timeout.clampedSeconds
        let deadline = DispatchTime.now() + seconds
        let decision: Decision = state.withLock { state in
            let cancelledEarly = state.registering.removeValue(forKey: id) ?? false
            if cancelledEarly { return .failed(CancellationError()) }
            if state.isClosed { return .failed(UsageError.databaseClosed) }
            if let lane = state.idle.popLast() { return .granted(lane) }
            state.waiters.append(Waiting(id: id, deadline: deadline, timeoutSeconds: seconds, resume: resume))
            // Armed under the lock, so an expiry running at the same time cannot re-arm it for a later deadline.
            if state.armedDeadline.map({ $0 > deadline }) ?? true {
                state.armedDeadline = deadline
                state.timer.schedule(deadline: deadline)
            }
            return .queued
        }
        switch decision {
        case .granted(let lane):
            resume(.success(lane))
        case .failed(let error):
            resume(.failure(error))
        case .queued:
            break
        }
    }

    /// The timer fired: fail the waiters whose time is up and arm it for the next deadline.
    private func expireWaiters() {
        let now = DispatchTime.now()
        let expired: [Waiting] = state.withLock { state in
            let expired = state.waiters.filter { $0.deadline <= now }
            state.waiters.removeAll { $0.deadline <= now }
            state.armedDeadline = state.waiters.map(\.deadline).min()
            state.timer.schedule(deadline: state.armedDeadline ?? .distantFuture)
            return expired
        }
        for waiter in expired {
            waiter.resume(.failure(UsageError.connectionTimeout(seconds: waiter.timeoutSeconds)))
        }
    }

    private func cancel(id: UInt64) {
        let isRegistering = state.withLock { state in
            guard state.registering[id] != nil else { return false }
            state.registering[id] = true
            return true
        }
        if !isRegistering { fail(id: id, with: CancellationError()) }
    }

    private func fail(id: UInt64, with error: any Error) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).resume
        }
        waiter?(.failure(error))
    }
}
