import Foundation

/// Runs blocking work on a thread of its own, off Swift's cooperative pool: the blocking APIs are measured the way
/// a caller without async uses them, and no pool thread is held meanwhile.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
