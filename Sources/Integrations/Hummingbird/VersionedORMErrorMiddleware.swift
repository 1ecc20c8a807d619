import Hummingbird
import VersionedORMHTTP

/// Turns the library's errors into HTTP responses: a stale write in answer to `If-Match` is `412` with the
/// current `ETag`, a missing `If-Match` on a write that requires one is `428`, a read-modify-write that kept
/// losing its races after its retries is `409`, a row that is not there is `404` (`HTTPErrorResponse`'s
/// rules). Other errors pass through to Hummingbird's own handling.
///
/// ```swift
/// router.add(middleware: VersionedORMErrorMiddleware())
/// ```
public struct VersionedORMErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The middleware; add it to the router (or a route group) whose handlers use the database.
    public init() {}

    /// Runs the rest of the chain and converts the library's errors it throws into `HTTPError`s.
    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            guard let mapped = HTTPErrorResponse(mapping: error, ifMatchSent: request.headers[.ifMatch] != nil) else {
                throw error
            }
            throw HTTPError(mapped.status, headers: mapped.headers, message: mapped.message)
        }
    }
}
