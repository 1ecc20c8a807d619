import Hummingbird
import VersionedORM
import VersionedORMHTTP
import VersionedORMHummingbird

/// The web example: a JSON API over bank accounts in which every write is conditional on the version the
/// client holds.
///
/// - `POST /accounts` → `201 Created`, `Location`, `ETag`.
/// - `GET /accounts/:id` → the account with its `ETag`; `304` when `If-None-Match` names it.
/// - `PATCH` and `PUT /accounts/:id`, `DELETE /accounts/:id` require `If-Match`: `428` without it, `412` with
///   the current `ETag` when the account changed since.
/// - `POST /transfers` moves money between two accounts, re-running the read-modify-write on a conflict;
///   `409` when it still conflicts after the retry policy, `422` when the balance is short.
public struct BankAPI: Sendable {
    public let database: Database
    /// How a transfer retries when another request changed one of its accounts first.
    public let transferRetry: RetryPolicy

    public init(database: Database, transferRetry: RetryPolicy = RetryPolicy(deadline: .seconds(2))) {
        self.database = database
        self.transferRetry = transferRetry
    }

    /// Creates the accounts table unless it exists.
    public func prepareSchema() async throws {
        try await database.write { tx in try tx.createTable(Account.self, ifNotExists: true) }
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: VersionedORMErrorMiddleware())
        router.post("accounts") { request, context in try await self.create(request, context) }
        router.get("accounts/:id") { request, context in try await self.show(request, context) }
        router.patch("accounts/:id") { request, context in
            let patch = try await request.decode(as: AccountPatch.self, context: context)
            return try await self.change(request, context) { account in
                if let owner = patch.owner { account.owner = owner }
                if case .set(let note) = patch.note { account.note = note }
            }
        }
        router.put("accounts/:id") { request, context in
            let replacement = try await request.decode(as: AccountReplacement.self, context: context)
            return try await self.change(request, context) { account in
                account.owner = replacement.owner
                account.note = replacement.note
            }
        }
        router.delete("accounts/:id") { request, context in try await self.remove(request, context) }
        router.post("transfers") { request, context in try await self.transfer(request, context) }
        return router
    }

    private func create(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let input = try await request.decode(as: NewAccount.self, context: context)
        guard input.balance >= 0 else { throw HTTPError(.unprocessableContent, message: "a balance cannot be negative") }
        let account = try await database.write { tx in
            var account = Account(owner: input.owner, balance: input.balance, note: input.note)
            try tx.insert(&account)
            return account
        }
        var response = try respond(with: account, status: .created, request, context)
        if let id = account.id { response.headers[.location] = "/accounts/\(id)" }
        return response
    }

    private func show(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: Int64.self)
        guard let account = try await database.read({ tx in try tx.find(Account.self, id: id) }) else {
            throw ModificationError.notFound(model: "Account", id: AnyPrimaryKey(id))
        }
        if let value = request.headers[.ifNoneMatch],
           try EntityTagCondition(parsing: value).matchesWeakly(EntityTag(version: account.version)) {
            var headers = HTTPFields()
            headers.setETag(version: account.version)
            return Response(status: .notModified, headers: headers)
        }
        return try respond(with: account, status: .ok, request, context)
    }

    /// A conditional edit: the client's `If-Match` is the version the change expects, checked by the
    /// versioned UPDATE itself, so a write between this request's read and its write is caught too.
    private func change(_ request: Request, _ context: BasicRequestContext,
                        _ edit: @escaping @Sendable (inout Account) -> Void) async throws -> Response {
        let id = try context.parameters.require("id", as: Int64.self)
        let precondition = try VersionPrecondition(requiring: request.headers)
        let account = try await database.write { tx in
            guard var account = try tx.find(Account.self, id: id) else {
                throw ModificationError.notFound(model: "Account", id: AnyPrimaryKey(id))
            }
            let expected = try precondition.expectedVersion(current: account.version, model: "Account")
            try tx.update(&account, expecting: expected, edit)
            return account
        }
        return try respond(with: account, status: .ok, request, context)
    }

    private func remove(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = try context.parameters.require("id", as: Int64.self)
        let precondition = try VersionPrecondition(requiring: request.headers)
        try await database.write { tx in
            guard var account = try tx.find(Account.self, id: id) else {
                throw ModificationError.notFound(model: "Account", id: AnyPrimaryKey(id))
            }
            // The DELETE carries the client's version, so it removes only the row the client saw.
            account.version = try precondition.expectedVersion(current: account.version, model: "Account")
            try tx.delete(account)
        }
        return Response(status: .noContent)
    }

    private func transfer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let transfer = try await request.decode(as: TransferRequest.self, context: context)
        guard transfer.amount > 0, transfer.from != transfer.to else {
            throw HTTPError(.unprocessableContent, message: "a transfer moves a positive amount between two accounts")
        }
        let result = try await database.write(using: .optimistic(retry: transferRetry)) { tx in
            guard var source = try tx.find(Account.self, id: transfer.from) else {
                throw ModificationError.notFound(model: "Account", id: AnyPrimaryKey(transfer.from))
            }
            guard var target = try tx.find(Account.self, id: transfer.to) else {
                throw ModificationError.notFound(model: "Account", id: AnyPrimaryKey(transfer.to))
            }
            guard source.balance >= transfer.amount else {
                throw HTTPError(.unprocessableContent, message: "the balance is too low for this transfer")
            }
            let (credited, overflow) = target.balance.addingReportingOverflow(transfer.amount)
            guard !overflow else { throw HTTPError(.unprocessableContent, message: "the target balance would overflow") }
            // The lower key first: PostgreSQL holds each updated row's lock to COMMIT, so two opposite transfers
            // writing in request order would each wait for the other's row, a deadlock the server breaks only
            // after deadlock_timeout (1 s).
            if transfer.from < transfer.to {
                try tx.update(&source) { $0.balance -= transfer.amount }
                try tx.update(&target) { $0.balance = credited }
            } else {
                try tx.update(&target) { $0.balance = credited }
                try tx.update(&source) { $0.balance -= transfer.amount }
            }
            return (source, target)
        }
        let (source, target) = result.value
        let body = TransferRepresentation(from: AccountRepresentation(source, id: transfer.from),
                                          to: AccountRepresentation(target, id: transfer.to),
                                          attempts: result.attempts)
        return try context.responseEncoder.encode(body, from: request, context: context)
    }

    private func respond(with account: Account, status: HTTPResponse.Status,
                         _ request: Request, _ context: BasicRequestContext) throws -> Response {
        guard let id = account.id else { throw HTTPError(.internalServerError) }
        var response = try context.responseEncoder.encode(AccountRepresentation(account, id: id),
                                                          from: request, context: context)
        response.status = status
        response.headers.setETag(version: account.version)
        return response
    }
}
