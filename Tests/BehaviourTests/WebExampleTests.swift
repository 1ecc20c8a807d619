import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VersionedORM
import VersionedORMHTTP
import VersionedORMTesting
import WebBankAPI

/// The web example's API on both databases, through Hummingbird: ETags from versions, If-Match required on
/// writes, 412 for a stale edit, 409 for a transfer that kept conflicting, and no write lost.
@Suite struct WebExampleTests {
    struct Body: Codable, Equatable {
        let id: Int64
        let owner: String
        let balance: Int64
        let note: String?
        let version: Int64
    }

    static func app(_ db: Database, transferRetry: RetryPolicy = RetryPolicy(deadline: .seconds(5))) async throws
        -> some ApplicationProtocol {
        let api = BankAPI(database: db, transferRetry: transferRetry)
        try await api.prepareSchema()
        return Application(router: api.router(), configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
    }

    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func decode(_ buffer: ByteBuffer) throws -> Body {
        try JSONDecoder().decode(Body.self, from: Data(buffer.readableBytesView))
    }

    static func headers(_ pairs: [HTTPField.Name: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs { fields[name] = value }
        return fields
    }

    /// Creates an account through the API; returns its id.
    static func createAccount(_ client: some TestClientProtocol, owner: String, balance: Int64) async throws -> Int64 {
        let created = try await client.execute(uri: "/accounts", method: .post,
                                               body: json(#"{"owner":"\#(owner)","balance":\#(balance)}"#))
        return try decode(created.body).id
    }

    @Test(arguments: Backend.allCases)
    func createReturns201WithLocationAndETag(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await Self.app(db).test(.router) { client in
                try await client.execute(uri: "/accounts", method: .post,
                                         body: Self.json(#"{"owner":"ada","balance":100,"note":null}"#)) { response in
                    #expect(response.status == .created)
                    let body = try Self.decode(response.body)
                    #expect(response.headers[.eTag] == "\"1\"")
                    #expect(response.headers[.location] == "/accounts/\(body.id)")
                    #expect(body.version == 1 && body.balance == 100)
                }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aStaleEditIs412WithTheCurrentETagAndLosesNothing(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await Self.app(db).test(.router) { client in
                let id = try await Self.createAccount(client, owner: "ada", balance: 100)
                // Two clients loaded version 1. The first edit wins and moves the tag to 2.
                let first = try await client.execute(uri: "/accounts/\(id)", method: .patch,
                                                     headers: Self.headers([.ifMatch: "\"1\""]),
                                                     body: Self.json(#"{"owner":"ada lovelace"}"#))
                #expect(first.status == .ok)
                #expect(first.headers[.eTag] == "\"2\"")
                // The second, still on version 1, is refused with the current tag and writes nothing.
                let second = try await client.execute(uri: "/accounts/\(id)", method: .patch,
                                                      headers: Self.headers([.ifMatch: "\"1\""]),
                                                      body: Self.json(#"{"note":"vip"}"#))
                #expect(second.status == .preconditionFailed)
                #expect(second.headers[.eTag] == "\"2\"")
                let afterRefusal = try Self.decode(try await client.execute(uri: "/accounts/\(id)", method: .get).body)
                #expect(afterRefusal == Body(id: id, owner: "ada lovelace", balance: 100, note: nil, version: 2))
                // It re-reads, re-applies on the tag it was given, and both edits are there.
                let retried = try await client.execute(uri: "/accounts/\(id)", method: .patch,
                                                       headers: Self.headers([.ifMatch: second.headers[.eTag] ?? ""]),
                                                       body: Self.json(#"{"note":"vip"}"#))
                #expect(retried.status == .ok)
                #expect(try Self.decode(retried.body) == Body(id: id, owner: "ada lovelace", balance: 100, note: "vip", version: 3))
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func writesWithoutAUsableIfMatchAreRefused(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await Self.app(db).test(.router) { client in
                let id = try await Self.createAccount(client, owner: "ada", balance: 100)
                let edit = Self.json(#"{"owner":"eve","note":"x"}"#)
                let missing = try await client.execute(uri: "/accounts/\(id)", method: .put, body: edit)
                #expect(missing.status == .preconditionRequired)
                let malformed = try await client.execute(uri: "/accounts/\(id)", method: .put,
                                                         headers: Self.headers([.ifMatch: "1"]), body: edit)
                #expect(malformed.status == .badRequest)
                // If-Match compares strongly: a weak tag never matches.
                let weak = try await client.execute(uri: "/accounts/\(id)", method: .put,
                                                    headers: Self.headers([.ifMatch: "W/\"1\""]), body: edit)
                #expect(weak.status == .preconditionFailed)
                #expect(weak.headers[.eTag] == "\"1\"")
                let deleteWithoutTag = try await client.execute(uri: "/accounts/\(id)", method: .delete)
                #expect(deleteWithoutTag.status == .preconditionRequired)
                let absent = try await client.execute(uri: "/accounts/999999", method: .put,
                                                      headers: Self.headers([.ifMatch: "\"1\""]), body: edit)
                #expect(absent.status == .notFound)
                let unchanged = try Self.decode(try await client.execute(uri: "/accounts/\(id)", method: .get).body)
                #expect(unchanged == Body(id: id, owner: "ada", balance: 100, note: nil, version: 1))
                // `*` applies to whatever version is current.
                let any = try await client.execute(uri: "/accounts/\(id)", method: .put,
                                                   headers: Self.headers([.ifMatch: "*"]), body: edit)
                #expect(any.status == .ok)
                #expect(any.headers[.eTag] == "\"2\"")
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func getAnswers304ToAMatchingIfNoneMatchAndDeleteChecksTheVersion(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await Self.app(db).test(.router) { client in
                let id = try await Self.createAccount(client, owner: "ada", balance: 100)
                let cached = try await client.execute(uri: "/accounts/\(id)", method: .get,
                                                      headers: Self.headers([.ifNoneMatch: "W/\"1\""]))
                #expect(cached.status == .notModified)
                #expect(cached.headers[.eTag] == "\"1\"")
                let changed = try await client.execute(uri: "/accounts/\(id)", method: .get,
                                                       headers: Self.headers([.ifNoneMatch: "\"0\""]))
                #expect(changed.status == .ok)
                _ = try await client.execute(uri: "/accounts/\(id)", method: .patch,
                                             headers: Self.headers([.ifMatch: "\"1\""]), body: Self.json(#"{"note":"n"}"#))
                let staleDelete = try await client.execute(uri: "/accounts/\(id)", method: .delete,
                                                           headers: Self.headers([.ifMatch: "\"1\""]))
                #expect(staleDelete.status == .preconditionFailed)
                #expect(staleDelete.headers[.eTag] == "\"2\"")
                let delete = try await client.execute(uri: "/accounts/\(id)", method: .delete,
                                                      headers: Self.headers([.ifMatch: "\"2\""]))
                #expect(delete.status == .noContent)
                let gone = try await client.execute(uri: "/accounts/\(id)", method: .get)
                #expect(gone.status == .notFound)
            }
        }
    }

    /// Two real HTTP clients, each on its own connection to the running server, send the same edit of the
    /// same version at once: exactly one wins, the other gets 412 with the winner's tag.
    @Test(arguments: Backend.allCases)
    func twoClientsRacingOnOneVersionGiveOneWinnerAnd412(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await Self.app(db).test(.live) { client in
                let port = try #require(client.port)
                let id = try await Self.createAccount(client, owner: "ada", balance: 100)
                for round in 1...5 {
                    let tag = "\"\(round)\""
                    let statuses = try await withThrowingTaskGroup(of: (String, HTTPResponse.Status, String?).self) { group in
                        for name in ["alice", "bob"] {
                            group.addTask {
                                try await TestClient.withClient(host: "127.0.0.1", port: port) { http in
                                    let response = try await http.execute(TestClient.Request(
                                        "/accounts/\(id)", method: .patch,
                                        headers: Self.headers([.ifMatch: tag, .contentType: "application/json"]),
                                        body: Self.json(#"{"note":"\#(name) \#(round)"}"#)))
                                    return (name, response.status, response.headers[.eTag])
                                }
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    let winners = statuses.filter { $0.1 == .ok }
                    let losers = statuses.filter { $0.1 == .preconditionFailed }
                    #expect(winners.count == 1 && losers.count == 1, "round \(round): \(statuses)")
                    let next = "\"\(round + 1)\""
                    #expect(winners.first?.2 == next && losers.first?.2 == next)
                    let now = try Self.decode(try await client.execute(uri: "/accounts/\(id)", method: .get).body)
                    #expect(now.version == Int64(round + 1))
                    #expect(now.note == winners.first.map { "\($0.0) \(round)" })
                }
            }
        }
    }

    /// Concurrent transfers between two accounts over real connections: every one is 200 or 409, and the
    /// balances move by exactly the amounts of the 200s.
    @Test(arguments: Backend.allCases)
    func concurrentTransfersKeepTheTotal(backend: Backend) async throws {
        try await withDatabase(backend, poolSize: 8) { db in
            let retry = RetryPolicy(maxAttempts: 3, backoff: .none)
            try await Self.app(db, transferRetry: retry).test(.live) { client in
                let port = try #require(client.port)
                var ids: [Int64] = []
                for owner in ["a", "b"] { ids.append(try await Self.createAccount(client, owner: owner, balance: 1000)) }
                let (a, b) = (ids[0], ids[1])
                let statuses = try await withThrowingTaskGroup(of: (Int64, HTTPResponse.Status).self) { group in
                    for request in 0..<24 {
                        let (from, to) = request.isMultiple(of: 2) ? (a, b) : (b, a)
                        group.addTask {
                            try await TestClient.withClient(host: "127.0.0.1", port: port) { http in
                                let response = try await http.execute(TestClient.Request(
                                    "/transfers", method: .post, headers: Self.headers([.contentType: "application/json"]),
                                    body: Self.json(#"{"from":\#(from),"to":\#(to),"amount":\#(request + 1)}"#)))
                                return (from == a ? Int64(request + 1) : -Int64(request + 1), response.status)
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0.1 == .ok || $0.1 == .conflict }, "\(statuses)")
                let moved = statuses.filter { $0.1 == .ok }.reduce(Int64(0)) { $0 + $1.0 }
                let balanceA = try Self.decode(try await client.execute(uri: "/accounts/\(a)", method: .get).body).balance
                let balanceB = try Self.decode(try await client.execute(uri: "/accounts/\(b)", method: .get).body).balance
                #expect(balanceA == Int64(1000) - moved)
                #expect(balanceB == Int64(1000) + moved)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func aShortBalanceIs422AndChangesNothing(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await Self.app(db).test(.router) { client in
                var ids: [Int64] = []
                for owner in ["a", "b"] { ids.append(try await Self.createAccount(client, owner: owner, balance: 10)) }
                let short = try await client.execute(uri: "/transfers", method: .post,
                                                     body: Self.json(#"{"from":\#(ids[0]),"to":\#(ids[1]),"amount":11}"#))
                #expect(short.status == .unprocessableContent)
                let negative = try await client.execute(uri: "/transfers", method: .post,
                                                        body: Self.json(#"{"from":\#(ids[0]),"to":\#(ids[1]),"amount":-5}"#))
                #expect(negative.status == .unprocessableContent)
                for id in ids {
                    let account = try Self.decode(try await client.execute(uri: "/accounts/\(id)", method: .get).body)
                    #expect(account.balance == 10 && account.version == 1)
                }
            }
        }
    }

    /// A transfer whose rows another writer keeps changing (the testing product's conflicts, one per attempt)
    /// is 409 once the retry policy gives up, and moves nothing; with one conflict fewer than the attempts it
    /// commits on its last.
    @Test(arguments: Backend.allCases)
    func aTransferThatKeepsConflictingIs409AndMovesNothing(backend: Backend) async throws {
        let faults = DatabaseFaults()
        try await withDatabase(backend, configure: { faults.install(in: &$0) }) { db in
            try await Self.app(db, transferRetry: RetryPolicy(maxAttempts: 3, backoff: .none)).test(.router) { client in
                var ids: [Int64] = []
                for owner in ["a", "b"] { ids.append(try await Self.createAccount(client, owner: owner, balance: 1000)) }
                let transfer = Self.json(#"{"from":\#(ids[0]),"to":\#(ids[1]),"amount":10}"#)
                faults.conflictNextSaves(of: WebBankAPI.Account.self, times: 3)
                let refused = try await client.execute(uri: "/transfers", method: .post, body: transfer)
                #expect(refused.status == .conflict)
                #expect(faults.fired.conflicts == 3)
                for id in ids {
                    let account = try Self.decode(try await client.execute(uri: "/accounts/\(id)", method: .get).body)
                    #expect(account.balance == 1000 && account.version == 1)
                }
                faults.conflictNextSaves(of: WebBankAPI.Account.self, times: 2)
                let committed = try await client.execute(uri: "/transfers", method: .post, body: transfer)
                #expect(committed.status == .ok)
                let body = try JSONDecoder().decode(Transfer.self, from: Data(committed.body.readableBytesView))
                #expect(body.attempts == 3 && body.from.balance == 990 && body.to.balance == 1010)
            }
        }
    }

    struct Transfer: Codable {
        let from: Body
        let to: Body
        let attempts: Int
    }

    /// The mapping of the library's errors: a stale write that a retry policy gave up on is 409 whether or
    /// not the client sent If-Match; one no policy retried is 412 when it answers If-Match.
    @Test(arguments: Backend.allCases)
    func conflictsAfterRetriesAre409(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let account = try await seedAccounts(db)[0]
            _ = try await db.write { tx in
                var fresh = account
                try tx.update(&fresh) { $0.balance += 1 }
            }
            let staleOnce = try #require(await Self.error {
                try await db.write { tx in
                    var old = account
                    try tx.update(&old) { $0.balance += 2 }
                }
            } as? StaleRecordError)
            #expect(HTTPErrorResponse(mapping: staleOnce, ifMatchSent: true)?.status == .preconditionFailed)
            #expect(HTTPErrorResponse(mapping: staleOnce, ifMatchSent: true)?.headers[.eTag] == "\"2\"")
            #expect(HTTPErrorResponse(mapping: staleOnce, ifMatchSent: false)?.status == .conflict)
            let gaveUp = try #require(await Self.error {
                try await db.write(retry: RetryPolicy(maxAttempts: 3, backoff: .none)) { tx in
                    var old = account
                    try tx.update(&old) { $0.balance += 2 }
                }
            } as? StaleRecordError)
            #expect(gaveUp.attempts == 3)
            #expect(HTTPErrorResponse(mapping: gaveUp, ifMatchSent: true)?.status == .conflict)
            #expect(HTTPErrorResponse(mapping: CancellationError(), ifMatchSent: true) == nil)
        }
    }

    /// The error an operation threw, or nil.
    static func error(_ operation: () async throws -> Void) async -> (any Error)? {
        do {
            try await operation()
            return nil
        } catch {
            return error
        }
    }
}
