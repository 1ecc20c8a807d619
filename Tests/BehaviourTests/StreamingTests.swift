import Testing
import VersionedORM

@Suite struct StreamingTests {
    /// Accounts with balances 1…count, inserted in that order.
    private func seed(_ db: Database, count: Int) async throws {
        try await db.write { tx in
            try tx.createTable(Account.self)
            var accounts = (1...count).map { Account(owner: "owner\($0)", balance: Int64($0)) }
            try tx.insert(&accounts)
        }
    }

    @Test(arguments: Backend.allCases)
    func fetchEachHandsOverEveryRowOfFetchAllInOrder(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seed(db, count: 2_500)
            let (streamed, fetched) = try await db.read { tx in
                var streamed: [Account] = []
                try Account.where { $0.balance > 10 }.order { [$0.balance.descending] }.fetchEach(tx) { streamed.append($0) }
                return (streamed, try Account.where { $0.balance > 10 }.order { [$0.balance.descending] }.fetchAll(tx))
            }
            #expect(streamed.count == 2_490)
            #expect(streamed == fetched)
            #expect(streamed.first?.balance == 2_500)
        }
    }

    @Test(arguments: Backend.allCases)
    func aStatementFromInsideFetchEachIsRefusedAndTheTransactionGoesOn(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seed(db, count: 20)
            let (refusal, balance) = try await db.write { tx -> (UsageError?, Int64?) in
                var refusal: UsageError?
                do {
                    try Account.all().fetchEach(tx) { account in
                        var copy = account
                        try tx.update(&copy) { $0.balance += 1 }
                    }
                } catch let error as UsageError {
                    refusal = error
                }
                // Nothing was written, and the same transaction still works.
                var first = try #require(try Account.where { $0.balance == 1 }.fetchOne(tx))
                try tx.update(&first) { $0.balance = 100 }
                return (refusal, try Account.all().aggregate(tx) { $0.balance.sum })
            }
            #expect(refusal == .statementDuringRowStream)
            #expect(balance == Int64((1...20).reduce(0, +) - 1 + 100))
        }
    }

    private struct Enough: Error {}

    @Test(arguments: Backend.allCases)
    func aBodyThatThrowsStopsTheStreamAndLeavesTheConnectionUsable(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seed(db, count: 3_000)
            let (seen, count) = try await db.write { tx -> (Int, Int) in
                var seen = 0
                do {
                    try Account.all().fetchEach(tx) { _ in
                        seen += 1
                        if seen == 10 { throw Enough() }
                    }
                } catch is Enough {}
                // PostgreSQL read the rest off the connection instead of cancelling: the transaction is not aborted.
                return (seen, try Account.all().count(tx))
            }
            #expect(seen == 10)
            #expect(count == 3_000)
        }
    }

    @Test func postgresHandsOverRowsBeforeTheStatementFinishes() async throws {
        try await withDatabase(.postgres) { db in
            try await seed(db, count: 1_000)
            // Division by zero at balance 500: the rows before it reach the closure only if they are handed over
            // as they arrive, not after the whole result is in.
            let received = Counter()
            do {
                try await db.read { tx in
                    try Account.where { $0.balance / ($0.balance - 500) >= 0 }.fetchEach(tx) { _ in received.increment() }
                }
                Issue.record("the division by zero went unnoticed")
            } catch let error as DatabaseError {
                #expect(error.code == "22012")
            }
            #expect(received.count > 0)
        }
    }
}
