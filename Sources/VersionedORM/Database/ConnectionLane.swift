import Dispatch
import Synchronization

/// One connection and the serial queue it is confined to.
///
/// Every call into the driver happens on `queue`, a private serial dispatch queue: blocking C calls run on
/// dispatch's overcommitting threads, never on Swift's cooperative pool. The pool starts work on the queue
/// (``ConnectionPool/perform(timeout:failIfBusy:_:)``), so one transaction costs one hop there and one back.
final class ConnectionLane: @unchecked Sendable {
    // @unchecked Sendable is safe: `connection` is read and written only on `queue` (checked by
    // dispatchPrecondition in `withConnection`), a serial queue, so no two threads touch it at once; every other
    // stored property is an immutable `let` of a Sendable type (`running` is a Mutex).
    let queue: DispatchQueue
    private let role: ConnectionRole
    private let driver: any DatabaseDriver
    private var connection: (any DatabaseConnection)?
    /// The work in progress on `queue` and the connection's interrupter, so a cancellation interrupts that work
    /// and never the next caller's.
    private let running = Mutex<(work: CancellationFlag?, interrupter: (any ConnectionInterrupter)?)>((nil, nil))

    init(label: String, role: ConnectionRole, driver: any DatabaseDriver, owner: ObjectIdentifier) {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: laneOwnerKey, value: owner)
        self.role = role
        self.driver = driver
    }

    /// Runs `body` with this lane's connection, opening it (again) when needed. Must run on `queue`.
    ///
    /// A pooled connection can die while idle (server restart, idle timeout, a terminated backend). When the
    /// transaction's BEGIN is what finds out, the work has not started, so it runs once more on a new connection.
    func withConnection<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        dispatchPrecondition(condition: .onQueue(queue))
        do {
            return try withCurrentConnection(body)
        } catch is ConnectionLostBeforeWork {
            connection = nil
            do {
                return try withCurrentConnection(body)
            } catch let lost as ConnectionLostBeforeWork {
                throw lost.underlying
            }
        }
    }

    private func withCurrentConnection<T>(_ body: (any DatabaseConnection) throws -> T) throws -> T {
        let current: any DatabaseConnection
        if let open = connection, open.isUsable {
            current = open
        } else {
            connection = nil
            running.withLock { $0.interrupter = nil }
            current = try driver.openConnection(role: role)
            connection = current
            running.withLock { $0.interrupter = current.interrupter }
        }
        defer {
            if !current.isUsable { connection = nil }
        }
        return try body(current)
    }

    /// Runs `work` with this lane's connection, on the lane's queue (the caller is already there), as the lane's
    /// running work: a cancellation of `flag` interrupts the statement it is running (sqlite3_interrupt,
    /// PQcancel) and never the next caller's.
    func runHere<T>(_ flag: CancellationFlag,
                    _ work: (any DatabaseConnection, CancellationFlag) throws -> T) -> Result<T, any Error> {
        dispatchPrecondition(condition: .onQueue(queue))
        running.withLock { $0.work = flag }
        defer { running.withLock { $0.work = nil } }
        return Result { try withConnection { try work($0, flag) } }
    }

    /// Runs `work` on the lane's queue, blocking the caller.
    func performBlocking<T>(_ work: (any DatabaseConnection) throws -> T) throws -> T {
        try queue.sync { try withConnection(work) }
    }

    /// Interrupts the running statement if `flag`'s work is the one running; the lock keeps the next work from
    /// starting meanwhile. Any lane may be asked: only the one running `flag`'s work acts.
    func interrupt(_ flag: CancellationFlag) {
        running.withLock { running in
            guard running.work === flag else { return }
            running.interrupter?.interrupt()
        }
    }

    /// Closes the connection on the lane's queue, after any transaction in progress there.
    func close() async {
        await withCheckedContinuation { continuation in
            queue.async {
                self.connection = nil
                continuation.resume()
            }
        }
    }
}

/// Where cancellations interrupt statements: a thread of its own, since PQcancel blocks on the network.
let interruptQueue = DispatchQueue(label: "versioned-orm.interrupts")

/// Marks a lane's queue with the database that owns it, so a nested `write` inside a transaction closure is
/// reported at once instead of waiting for a connection it already holds.
let laneOwnerKey = DispatchSpecificKey<ObjectIdentifier>()

/// BEGIN found the connection dead: nothing of the caller's ran, so the lane may replace the connection and run
/// the transaction again.
struct ConnectionLostBeforeWork: Error {
    let underlying: DatabaseError
}
