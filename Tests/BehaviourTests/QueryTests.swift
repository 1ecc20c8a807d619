import Testing
import VersionedORM

@Suite struct QueryTests {
    /// owner0…owner5 with balances 10, 20, 30, 30, 50, 60; notes on the even ones.
    @discardableResult
    private func seed(_ db: Database) async throws -> [Account] {
        try await db.write { tx in
            try tx.createTable(Account.self)
            return try [10, 20, 30, 30, 50, 60].enumerated().map { offset, balance in
                var account = Account(owner: "owner\(offset)", balance: Int64(balance),
                                      note: offset.isMultiple(of: 2) ? "Note \(offset)" : nil)
                try tx.insert(&account)
                return account
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func everyComparisonFilters(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let all = try await seed(db)
            func owners(_ query: Query<Account>) async throws -> [String] {
                try await db.read { tx in try query.order { [$0.id.ascending] }.fetchAll(tx).map(\.owner) }
            }
            #expect(try await owners(Account.where { $0.balance == 30 }) == ["owner2", "owner3"])
            #expect(try await owners(Account.where { $0.balance != 30 }) == ["owner0", "owner1", "owner4", "owner5"])
            #expect(try await owners(Account.where { $0.balance < 30 }) == ["owner0", "owner1"])
            #expect(try await owners(Account.where { $0.balance <= 20 }) == ["owner0", "owner1"])
            #expect(try await owners(Account.where { $0.balance > 30 }) == ["owner4", "owner5"])
            #expect(try await owners(Account.where { $0.balance >= 50 }) == ["owner4", "owner5"])
            #expect(try await owners(Account.where { $0.balance > 10 && $0.balance < 50 }) == ["owner1", "owner2", "owner3"])
            #expect(try await owners(Account.where { $0.balance == 10 || $0.balance == 60 }) == ["owner0", "owner5"])
            #expect(try await owners(Account.where { !($0.balance < 50) }) == ["owner4", "owner5"])
            #expect(try await owners(Account.where { $0.owner.in(["owner1", "owner4", "nobody"]) }) == ["owner1", "owner4"])
            #expect(try await owners(Account.where { $0.owner.in([String]()) }) == [])
            #expect(try await owners(Account.where { $0.note == nil }) == ["owner1", "owner3", "owner5"])
            #expect(try await owners(Account.where { $0.note != nil }) == ["owner0", "owner2", "owner4"])
            #expect(try await owners(Account.where { $0.note.isNull }) == ["owner1", "owner3", "owner5"])
            #expect(try await owners(Account.where { $0.note.isNotNull && $0.balance > 10 }) == ["owner2", "owner4"])
            // LIKE is case-sensitive on both databases, and the escape character works.
            #expect(try await owners(Account.where { $0.note.like("Note %") }) == ["owner0", "owner2", "owner4"])
            #expect(try await owners(Account.where { $0.note.like("note %") }) == [])
            #expect(try await owners(Account.where { $0.owner.like("owner\\_") }) == [])
            #expect(try await owners(Account.where { $0.balance == $0.balance && $0.id == all[3].id }) == ["owner3"])
            // Conditions given in several calls combine with AND.
            #expect(try await owners(Account.where { $0.balance >= 20 }.where { $0.note == nil }) == ["owner1", "owner3", "owner5"])
        }
    }

    @Test(arguments: Backend.allCases)
    func orderingLimitOffsetCountExistsAndFind(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let all = try await seed(db)
            try await db.read { tx in
                let ordered = try Account.order { [$0.balance.descending, $0.owner.ascending] }.fetchAll(tx)
                #expect(ordered.map(\.owner) == ["owner5", "owner4", "owner2", "owner3", "owner1", "owner0"])
                let page = try Account.order { [$0.balance.ascending, $0.owner.descending] }.limit(2, offset: 2).fetchAll(tx)
                #expect(page.map(\.owner) == ["owner3", "owner2"])
                #expect(try Account.all().limit(0).fetchAll(tx).isEmpty)
                #expect(try Account.where { $0.balance == 30 }.count(tx) == 2)
                #expect(try Account.all().count(tx) == 6)
                #expect(try Account.where { $0.balance > 1_000 }.exists(tx) == false)
                #expect(try Account.where { $0.balance > 50 }.exists(tx) == true)
                #expect(try Account.order { [$0.balance.descending] }.fetchOne(tx)?.owner == "owner5")
                #expect(try Account.where { $0.balance > 1_000 }.fetchOne(tx) == nil)
                #expect(try tx.find(Account.self, id: all[4].id ?? 0) == all[4])
                #expect(try tx.find(Account.self, id: -1) == nil)
                #expect(throws: UsageError.self) { try Account.all().limit(-1).fetchAll(tx) }
                #expect(throws: UsageError.self) { try Account.all().limit(1, offset: -1).fetchAll(tx) }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func rawSQLBindsEveryInterpolatedValue(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            try await seed(db)
            let hostile = "owner1' OR '1'='1"
            let (matches, safe) = try await db.read { tx in
                let matches = try tx.fetchAll(Account.self, """
                    SELECT \(identifier: "id"), \(identifier: "owner"), \(identifier: "balance"), \(identifier: "note"), \(identifier: "version")
                    FROM \(identifier: "accounts") WHERE \(identifier: "balance") > \(Int64(25)) ORDER BY \(identifier: "id")
                    """)
                let safe = try tx.fetchValue(Int.self, "SELECT COUNT(*) FROM \(identifier: "accounts") WHERE \(identifier: "owner") = \(hostile)")
                return (matches, safe)
            }
            #expect(matches.map(\.owner) == ["owner2", "owner3", "owner4", "owner5"])
            #expect(safe == 0)
            #expect(!log.statements.contains { $0.contains("OR '1'='1") || $0.contains("25") })
            let rows = try await db.read { tx in try tx.fetchRows("SELECT \(Int64(1)) + \(Int64(2)), \("text")") }
            #expect(rows.count == 1)
            #expect(rows.first?.count == 2)
        }
    }
}
