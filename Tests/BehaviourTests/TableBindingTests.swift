import Testing
import VersionedORMMacros

/// One model, many tables: every operation inside `usingTable` goes to the bound table.
@Suite struct TableBindingTests {
    @Test(arguments: Backend.allCases)
    func eachTenantsTableGetsItsOwnRowsVersionsAndConflicts(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let (first, second) = try await db.write { tx in
                try tx.createTable(Account.self)
                let first = try tx.usingTable("tenant_1_accounts", for: Account.self) { tx -> Account in
                    try tx.createTable(Account.self)
                    var account = Account(owner: "ada", balance: 10)
                    try tx.insert(&account)
                    var batch = [Account(owner: "b", balance: 1), Account(owner: "c", balance: 2)]
                    try tx.insert(&batch)
                    return account
                }
                let second = try tx.usingTable("tenant_2_accounts", for: Account.self) { tx -> Account in
                    try tx.createTable(Account.self)
                    var account = Account(owner: "grace", balance: 20)
                    try tx.insert(&account)
                    return account
                }
                return (first, second)
            }
            #expect(first.id == 1 && second.id == 1, "each table numbers its own rows")
            let counts = try await db.read { tx in
                (try Account.all().count(tx),
                 try tx.usingTable("tenant_1_accounts", for: Account.self) { tx in try Account.all().count(tx) },
                 try tx.usingTable("tenant_2_accounts", for: Account.self) { tx in try Account.all().count(tx) })
            }
            #expect(counts == (0, 3, 1))
            // A versioned write in one tenant's table: found by key there, stale there, untouched elsewhere.
            try await db.write { tx in
                try tx.usingTable("tenant_1_accounts", for: Account.self) { tx in
                    var account = try #require(try tx.find(Account.self, id: 1))
                    try tx.update(&account, set: { $0.balance += 5 })
                    var stale = first
                    #expect(throws: StaleRecordError.self) { try tx.save(&stale) }
                    let total = try Account.all().aggregate(tx) { $0.balance.sum }
                    #expect(total == 18)
                }
            }
            let other = try await db.read { tx in
                try tx.usingTable("tenant_2_accounts", for: Account.self) { tx in try tx.find(Account.self, id: 1) }
            }
            #expect(other == second)
            #expect(log.statements.contains { $0.contains("\"tenant_1_accounts\"") })
            // A name that is not an identifier is refused before any SQL.
            await #expect(throws: SchemaError.self) {
                try await db.read { tx in
                    try tx.usingTable("x\"; DROP TABLE accounts; --", for: Account.self) { tx in try Account.all().count(tx) }
                }
            }
        }
    }
}
