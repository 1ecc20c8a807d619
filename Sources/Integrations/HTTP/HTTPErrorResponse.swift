import HTTPTypes
import VersionedORM

/// An error as an HTTP response: status, header fields (the current `ETag` on a 412) and a message that names
/// no value the client did not send.
///
/// `init(mapping:)` turns the library's errors into the responses a JSON API gives: a stale write is
/// `412 Precondition Failed` with the current tag when the version came from the client, `409 Conflict` when a
/// retry policy gave up on a contended row; a missing `If-Match` is `428`. Frameworks convert it to their own
/// error type in a middleware (the `VersionedORMHummingbird` product does it for Hummingbird).
public struct HTTPErrorResponse: Error, Sendable, Equatable, CustomStringConvertible {
    /// The response's status.
    public var status: HTTPResponse.Status
    /// Fields to send with it: `ETag` on a 412 whose row still exists.
    public var headers: HTTPFields
    /// A sentence for the client; it names the model and versions, never a value.
    public var message: String

    /// A response for an error of the application's own.
    public init(status: HTTPResponse.Status, headers: HTTPFields = [:], message: String) {
        self.status = status
        self.headers = headers
        self.message = message
    }

    public var description: String { "\(status.code) \(status.reasonPhrase): \(message)" }

    /// `428 Precondition Required`: a write came without `If-Match`, so it could overwrite an edit its client
    /// never saw (RFC 6585 §3).
    public static var preconditionRequired: HTTPErrorResponse {
        HTTPErrorResponse(status: .preconditionRequired,
                          message: "send If-Match with the ETag of the version you are changing")
    }

    /// `400 Bad Request`: an `If-Match` or `If-None-Match` that is not `*` or a list of entity tags.
    public static var malformedCondition: HTTPErrorResponse {
        HTTPErrorResponse(status: .badRequest, message: "If-Match must be * or a list of quoted entity tags")
    }

    /// `412 Precondition Failed`, with the current version's tag when the resource still exists.
    public static func preconditionFailed(model: String, currentVersion: Int64?) -> HTTPErrorResponse {
        var headers = HTTPFields()
        if let currentVersion { headers[.eTag] = EntityTag(version: currentVersion).description }
        let now = currentVersion.map { "it is now at version \($0); fetch it again and reapply your change" }
            ?? "it was deleted"
        return HTTPErrorResponse(status: .preconditionFailed, headers: headers,
                                 message: "\(model) changed since the version you sent: \(now)")
    }

    /// The response for one of the library's errors, or nil for any other error (let the framework map it).
    ///
    /// - `StaleRecordError` in answer to a request that sent `If-Match`, when no retry policy gave up on it:
    ///   the version that failed was the client's, so `412` with the current `ETag` (none when the row was
    ///   deleted).
    /// - Any other `StaleRecordError`, and a transient `DatabaseError` (serialization failure, deadlock,
    ///   busy) or a lock not available at once: the server's own read-modify-write lost its races, so
    ///   `409 Conflict`; the client may send the request again.
    /// - `ModificationError.notFound(model:id:)` and `ModificationError.noMatch(model:)`: `404`.
    /// - `ModificationError.skippedLocked(model:id:)`: `409`.
    ///
    /// - Parameter ifMatchSent: whether the request carried `If-Match` (or another version of the client's,
    ///   such as a form field), which decides between 412 and 409 for a stale write.
    public init?(mapping error: any Error, ifMatchSent: Bool) {
        switch error {
        case let response as HTTPErrorResponse:
            self = response
        case let stale as StaleRecordError:
            if ifMatchSent, stale.retriesExhausted == nil {
                switch stale.current {
                case .modified(let version): self = .preconditionFailed(model: stale.model, currentVersion: version)
                case .deleted: self = .preconditionFailed(model: stale.model, currentVersion: nil)
                }
            } else {
                self.init(status: .conflict,
                          message: "\(stale.model) kept changing while this request ran (\(stale.attempts) attempts); try again")
            }
        case let database as DatabaseError where database.isTransient || database.kind == .lockNotAvailable:
            self.init(status: .conflict, message: "the data this request changes is busy (\(database.attempts) attempts); try again")
        case let modification as ModificationError:
            switch modification {
            case .notFound(let model, _), .noMatch(let model):
                self.init(status: .notFound, message: "no such \(model)")
            case .skippedLocked(let model, _):
                self.init(status: .conflict, message: "\(model) is being changed by another request; try again")
            case .notUnique(let model):
                self.init(status: .conflict, message: "more than one \(model) matches")
            }
        default:
            return nil
        }
    }
}
