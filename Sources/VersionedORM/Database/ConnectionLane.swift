import Dispatch

/// One connection and the serial queue it is confined to.
///
/// Every call into the driver happens on `queue`, a private serial dispatch queue: blocking C calls run on
/// dispatch's overcommitting threads, never on Swift's cooperative pool, and one transaction costs one hop.
final class ConnectionLane: @unchecked Sendable {
    // @unchecked Sendable is safe: `connection` is read and written only on `queue` (checked by
    // dispatchPrecondition in `withConnection`), a serial queue, so no two threads touch it at once; every other
    // stored property is an immutable `let` of a Sendable type.
    let queue: DispatchQueue
    private let role: ConnectionRole
    private let driver: any DatabaseDriver
    private var connection: (any DatabaseConnection)?

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
            current = try driver.openConnection(role: role)
            connection = current
        }
        defer {
            if !current.isUsable { connection = nil }
        }
        return try body(current)
    }

    /// Hops to the lane's queue once and runs `work` there.
    func perform<T: Sendable>(_ work: @escaping @Sendable (any DatabaseConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.withConnection(work) })
            }
        }
    }

    /// Runs `work` on the lane's queue, blocking the caller.
    func performBlocking<T>(_ work: (any DatabaseConnection) throws -> T) throws -> T {
        try queue.sync { try withConnection(work) }
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

/// Marks a lane's queue with the database that owns it, so a nested `write` inside a transaction closure is
/// reported at once instead of waiting for a connection it already holds.
let laneOwnerKey = DispatchSpecificKey<ObjectIdentifier>()
