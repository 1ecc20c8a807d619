import HTTPTypes

/// What a write request's `If-Match` asks of the row's version, read from its header fields.
///
/// ```swift
/// let precondition = try VersionPrecondition(requiring: request.headers)    // 428 without If-Match
/// try await db.write { tx in
///     guard var account = try tx.find(Account.self, id: id) else { throw ModificationError.notFound(…) }
///     try tx.update(&account, expecting: precondition.expectedVersion(current: account.version)) { … }
/// }
/// ```
public struct VersionPrecondition: Sendable, Hashable {
    /// The parsed field.
    public let condition: EntityTagCondition

    /// A precondition from a parsed `If-Match`.
    public init(_ condition: EntityTagCondition) {
        self.condition = condition
    }

    /// The request's `If-Match`; throws `428 Precondition Required` when there is none and `400` when it
    /// cannot be parsed.
    public init(requiring fields: HTTPFields) throws(HTTPErrorResponse) {
        guard let value = fields[.ifMatch] else { throw .preconditionRequired }
        self.condition = try EntityTagCondition(parsing: value)
    }

    /// The request's `If-Match`, or nil when there is none (an API that lets unconditional writes through).
    public init?(optional fields: HTTPFields) throws(HTTPErrorResponse) {
        guard let value = fields[.ifMatch] else { return nil }
        self.condition = try EntityTagCondition(parsing: value)
    }

    /// The version a write must expect, given the row's current one.
    ///
    /// `*` and a list naming the current version give the current version. A list naming only older versions
    /// gives the newest of them, so the library refuses the write with `StaleRecordError` — or, with
    /// `update(_:expecting:seen:_:)`, merges it when nobody changed what the client changed. A list with no
    /// tag of a version (weak tags, other servers' tags) can never match under strong comparison, so this
    /// throws `412` with the current tag before anything is written.
    public func expectedVersion(current: Int64, model: String = "resource") throws(HTTPErrorResponse) -> Int64 {
        switch condition {
        case .any:
            return current
        case .tags(let tags):
            let versions = tags.compactMap(\.version)
            if versions.contains(current) { return current }
            guard let newest = versions.max() else {
                throw .preconditionFailed(model: model, currentVersion: current)
            }
            return newest
        }
    }
}

extension HTTPFields {
    /// Sets `ETag` to the strong tag of a row's version.
    public mutating func setETag(version: Int64) {
        self[.eTag] = EntityTag(version: version).description
    }
}
