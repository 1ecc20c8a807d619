/// A position in the primary's commit history, handed back by a write so that a later read on a replica can ask
/// to see at least that much (read-your-writes).
///
/// On PostgreSQL it is the WAL position (LSN) right after COMMIT; a replica has caught up when it has replayed
/// that far. Tokens compare in history order, and the token of two writes is the later one (`max`).
public struct CommitToken: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The position as an unsigned number (PostgreSQL: the 64-bit LSN).
    public let position: UInt64

    /// The token at `position` in the commit history (PostgreSQL: the LSN as a 64-bit number).
    public init(position: UInt64) {
        self.position = position
    }

    /// Whether `lhs` comes earlier in the commit history than `rhs`.
    public static func < (lhs: CommitToken, rhs: CommitToken) -> Bool { lhs.position < rhs.position }

    /// PostgreSQL's spelling, `16/B374D848`.
    public var description: String {
        "\(String(position >> 32, radix: 16, uppercase: true))/\(String(position & 0xFFFF_FFFF, radix: 16, uppercase: true))"
    }

    /// Parses PostgreSQL's `X/Y` spelling of an LSN.
    public init?(lsn text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16),
              high <= UInt64(UInt32.max), low <= UInt64(UInt32.max)
        else { return nil }
        position = high << 32 | low
    }
}

/// Where a `read` may run and how fresh what it sees must be.
public enum ReadConsistency: Sendable, Equatable {
    /// Any reader, a replica included, however far behind: the fastest, and fine for data the caller did not just
    /// write.
    case any
    /// A replica that has replayed at least `token`: the reader connection waits for it before BEGIN (a snapshot
    /// taken earlier would stay stale). When it has not caught up within `timeout`, the read runs on the primary
    /// instead and `versioned_orm.replica_fallbacks` counts it.
    case atLeast(CommitToken, timeout: Duration)
    /// The primary, always.
    case primary
}
