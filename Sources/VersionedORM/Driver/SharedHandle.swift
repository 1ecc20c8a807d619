import Synchronization

/// A C handle that another thread may use while its owner may free it: a connection's interrupter calls into
/// sqlite3 or libpq from whichever thread cancels a task, while the connection closes on its own lane.
///
/// The address is kept as an integer, because a pointer is not Sendable, and turned back into the handle only
/// under the lock; ``detach(release:)`` clears it under the same lock, so no use can overlap the release.
package final class SharedHandle: Sendable {
    private let address: Mutex<UInt?>

    package init(_ handle: OpaquePointer?) {
        address = Mutex(handle.map { UInt(bitPattern: Int(bitPattern: UnsafeRawPointer($0))) })
    }

    /// Runs `body` with the handle unless it was detached.
    package func withHandle(_ body: (OpaquePointer) -> Void) {
        address.withLock { address in
            if let address, let handle = OpaquePointer(bitPattern: address) { body(handle) }
        }
    }

    /// Forgets the handle, after handing it to `release` (which frees it, if this object owns it).
    package func detach(release: (OpaquePointer) -> Void = { _ in }) {
        address.withLock { address in
            if let address, let handle = OpaquePointer(bitPattern: address) { release(handle) }
            address = nil
        }
    }
}
