import Testing
import VersionedORM

@Suite struct ErrorTests {
    @Test(arguments: Backend.allCases)
    func constraintErrorsAreClassifiedAndHideValues(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            try await db.write { tx in
                try tx.execute("CREATE UNIQUE INDEX \(identifier: "unique_owner") ON \(identifier: "accounts") (\(identifier: "owner"))")
            }
            let secret = "s3cr3t-owner-name"
            try await db.write { tx in var account = Account(owner: secret, balance: 1); try tx.insert(&account) }
            do {
                try await db.write { tx in var account = Account(owner: secret, balance: 2); try tx.insert(&account) }
                Issue.record("a duplicate insert succeeded")
            } catch let error as DatabaseError {
                #expect(error.kind == .uniqueViolation)
                #expect(error.isConstraintViolation)
                #expect(!error.code.isEmpty)
                #expect(error.sql?.contains("INSERT INTO \"accounts\"") == true)
                #expect(!error.description.contains(secret))
                #expect(error.binds == nil)
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func syntaxErrorsNameTheStatementAndTheDatabaseStaysUsable(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedAccounts(db)
            do {
                try await db.write { tx in try tx.execute("SELEKT 1") }
                Issue.record("a malformed statement succeeded")
            } catch let error as DatabaseError {
                #expect(error.kind == .invalidStatement)
                #expect(error.sql == "SELEKT 1")
            }
            #expect(try await db.read { tx in try Account.all().count(tx) } == 1)
        }
    }
}

@Suite struct DecodingRuleTests {
    @Test(arguments: Backend.allCases)
    func valuesOfTheWrongTypeOrNullAreRefusedNeverCoerced(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await db.read { (tx: Transaction) throws -> Void in
                #expect(throws: RowDecodingError.self) { try tx.fetchValue(Int64.self, "SELECT \("12abc")") }
                #expect(throws: RowDecodingError.self) { try tx.fetchValue(Int64.self, "SELECT NULL") }
                #expect(throws: RowDecodingError.self) { try tx.fetchValue(String.self, "SELECT \(Int64(5))") }
                #expect(throws: RowDecodingError.self) { try tx.fetchValue(Double.self, "SELECT \("1.5")") }
                #expect(throws: RowDecodingError.self) { try tx.fetchValue(Int32.self, "SELECT \(Int64(Int32.max) + 1)") }
                #expect(try tx.fetchValue(Int64?.self, "SELECT NULL") == .some(nil))
                #expect(try tx.fetchValue(Double.self, "SELECT \(Int64(3))") == 3)
                #expect(try tx.fetchValue(String?.self, "SELECT \("x")") == "x")
            }
        }
    }
}
