import Testing
import VersionedORM
import VersionedORMMacros

@Model(table: "purchase_orders")
struct PurchaseOrder: Equatable {
    let id: Int64?
    var customer: String
    var version: Int64 = 0
}

@Model(table: "order_lines")
struct OrderLine: Equatable {
    let id: Int64?
    var orderID: Int64
    var sku: String
    var quantity: Int64
    var version: Int64 = 0
}

@Suite struct RelatedRowsTests {
    @Test(arguments: Backend.allCases)
    func oppositeTransfersThatLockInKeyOrderNeverDeadlockAndKeepTheTotal(backend: Backend) async throws {
        try await withDatabase(backend, poolSize: 8) { db in
            let accounts = try await seedAccounts(db, balances: [10_000, 10_000])
            let (first, second) = (try #require(accounts[0].id), try #require(accounts[1].id))
            // No retry policy: a deadlock (40P01) or a stale write would fail the transfer, and the test.
            let moved = try await runConcurrently(tasks: 16, timesEach: 25) {
                let (from, to) = Bool.random() ? (first, second) : (second, first)
                try await db.write { tx in
                    let locked = try tx.lock(Account.self, ids: [from, to])
                    guard var source = locked.first(where: { $0.id == from }),
                          var target = locked.first(where: { $0.id == to }) else { throw Missing() }
                    try tx.update(&source) { $0.balance -= 1 }
                    try tx.update(&target) { $0.balance += 1 }
                }
                return 1
            }
            #expect(moved == 400)
            let total = try await db.read { tx in try Account.all().aggregate(tx) { $0.balance.sum } }
            #expect(total == 20_000)
            let versions = try await db.read { tx in try Account.all().aggregate(tx) { $0.version.sum } }
            #expect(versions == Int64(2 + 800))
        }
    }

    private struct Missing: Error {}

    @Test(arguments: Backend.allCases)
    func lockReturnsTheRowsInKeyOrderAndNeedsAWriteTransaction(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let accounts = try await seedAccounts(db, balances: [1, 2, 3])
            let ids = accounts.compactMap(\.id)
            log.clear()
            let locked = try await db.write { tx in try tx.lock(Account.self, ids: [ids[2], ids[0], ids[2], 999_999]) }
            #expect(locked.map(\.id) == [ids[0], ids[2]])
            let select = try #require(log.dataStatements.first)
            #expect(select.contains("ORDER BY \"id\" ASC"))
            #expect(select.hasSuffix("FOR UPDATE") == (backend == .postgres))
            await #expect(throws: UsageError.rowLockOutsideWriteTransaction) {
                try await db.read { tx in _ = try tx.lock(Account.self, ids: ids) }
            }
        }
    }

    private func seedOrder(_ db: Database) async throws -> (PurchaseOrder, [OrderLine]) {
        try await db.write { tx in
            try tx.createTable(PurchaseOrder.self)
            try tx.createTable(OrderLine.self)
            var order = PurchaseOrder(customer: "ada")
            try tx.insert(&order)
            let orderID = try #require(order.id)
            var lines = [OrderLine(orderID: orderID, sku: "pen", quantity: 1), OrderLine(orderID: orderID, sku: "ink", quantity: 1)]
            try tx.insert(&lines)
            return (order, lines)
        }
    }

    @Test(arguments: Backend.allCases)
    func editorsOfDifferentLinesOfOneOrderConflictOnTheOrder(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let (order, lines) = try await seedOrder(db)
            // Both editors loaded the order at version 1. The first changes both lines: the order goes up once.
            let edited = try await db.write { [order, lines] tx in
                var order = order
                try tx.changingChildren(of: &order) { tx in
                    for line in lines {
                        var line = line
                        try tx.update(&line) { $0.quantity += 1 }
                    }
                }
                return order
            }
            #expect(edited.version == 2)
            // The second changes the other line only, on its copy of version 1: stale, and its line change undone.
            let secondLine = try #require(lines[1].id)
            let stale = await expectStale {
                try await db.write { [order] tx in
                    var order = order
                    try tx.changingChildren(of: &order) { tx in
                        var current = try #require(try tx.find(OrderLine.self, id: secondLine))
                        try tx.update(&current) { $0.quantity = 10 }
                    }
                }
            }
            #expect(stale?.model == "PurchaseOrder")
            let (storedOrder, storedLines) = try await db.read { tx in
                (try tx.find(PurchaseOrder.self, id: try #require(order.id)), try OrderLine.all().order { [$0.id.ascending] }.fetchAll(tx))
            }
            #expect(storedOrder?.version == 2)
            #expect(storedLines.map(\.quantity) == [2, 2])
        }
    }

    @Test(arguments: Backend.allCases)
    func aBodyThatChangesNothingLeavesTheParentsVersion(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let (order, _) = try await seedOrder(db)
            let after = try await db.write { [order] tx in
                var order = order
                // Reads change no row, whatever PostgreSQL's command tag counts for them ("SELECT 2").
                let (count, selected) = try tx.changingChildren(of: &order) { tx in
                    (try OrderLine.all().count(tx), try tx.execute("SELECT \(identifier: "id") FROM \(identifier: "order_lines")"))
                }
                return (order, count, selected)
            }
            #expect(after.0.version == 1)
            #expect(after.1 == 2)
            #expect(after.2 == 0)
        }
    }
}
