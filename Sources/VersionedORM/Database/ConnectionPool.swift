import Dispatch
import Synchronization

/// A fixed set of lanes handed out one caller at a time, with a FIFO wait queue and a timeout. Async callers
/// hand their work to the pool, which runs it on a lane's thread; blocking callers take a lane and give it back.
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

    /// Runs `work` on the first lane free, on that lane's thread, and releases the lane there before resuming
    /// the caller. Under contention a lane goes straight on to the next queued work (a block on its own serial
    /// queue, run without a thread wake-up) instead of idling until a released caller's task has woken up and
    /// hopped back: the hop out of and back into Swift concurrency overlaps with other callers' work.
    ///
    /// With `failIfBusy`, an idle lane or that error at once; otherwise callers queue in order, up to `timeout`.
    /// Cancelling the calling task takes a waiting caller out of the queue, and interrupts running work.
    func perform<T: Sendable>(
        timeout: Duration,
        failIfBusy: (any Error)?,
        _ work: @escaping @Sendable (any DatabaseConnection, CancellationFlag) throws -> T
    ) async throws -> T {
        let flag = CancellationFlag()
        let id: UInt64? = failIfBusy == nil ? reserveID() : nil
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let start: Waiter = { granted in
                    switch granted {
                    case .success(let lane):
                        lane.queue.async {
                            let result = lane.runHere(flag, work)
                            self.release(lane)
                            continuation.resume(with: result)
                        }
                    case .failure(let error):
                        continuation.resume(throwing: error)
                    }
                }
                if let id {
                    enqueue(id: id, timeout: timeout, resume: start)
                } else if let busy = failIfBusy {
                    start(Result { guard let lane = try acquireIfIdle() else { throw busy }; return lane })
                }
            }
        } onCancel: {
            if let id { cancel(id: id) }
            flag.cancel()
            // PQcancel talks to the server: never on the cooperative thread that cancelled us.
            interruptQueue.async { for lane in self.lanes { lane.interrupt(flag) } }
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
