import Testing
import VersionedORM

@Suite struct JoinTests {
    /// Two orders with two and one lines, and a third order with none.
    private func seed(_ db: Database) async throws -> [PurchaseOrder] {
        try await db.write { tx in
            try tx.createTable(PurchaseOrder.self)
            try tx.createTable(OrderLine.self)
            var orders = [PurchaseOrder(customer: "ada"), PurchaseOrder(customer: "bob"), PurchaseOrder(customer: "cy")]
            try tx.insert(&orders)
            let ids = orders.compactMap(\.id)
            var lines = [OrderLine(orderID: ids[0], sku: "pen", quantity: 1), OrderLine(orderID: ids[0], sku: "ink", quantity: 20),
                         OrderLine(orderID: ids[1], sku: "pad", quantity: 3)]
            try tx.insert(&lines)
            return orders
        }
    }

    @Test(arguments: Backend.allCases)
    func anInnerJoinFiltersAndOrdersOnBothTablesAndDecodesPairs(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let orders = try await seed(db)
            let pairs = try await db.read { tx in
                // "id" is in both tables: the order query's own filter must come out qualified.
                try PurchaseOrder.where { $0.customer != "bob" && $0.id != nil }
                    .join(OrderLine.self) { order, line in line.orderID == order.id }
                    .where { _, line in line.quantity >= 1 }
                    .order { _, line in [line.quantity.descending] }
                    .fetchAll(tx)
            }
            #expect(pairs.map { $0.0.customer } == ["ada", "ada"])
            #expect(pairs.map { $0.1.sku } == ["ink", "pen"])
            #expect(pairs.allSatisfy { $0.0 == orders[0] && $0.1.version == 1 })
        }
    }

    @Test(arguments: Backend.allCases)
    func aLeftJoinKeepsRowsWithoutAMatch(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            _ = try await seed(db)
            let pairs = try await db.read { tx in
                try PurchaseOrder.all()
                    .leftJoin(OrderLine.self) { order, line in line.orderID == order.id }
                    .order { order, line in [order.id.ascending, line.id.ascending] }
                    .fetchAll(tx)
            }
            #expect(pairs.map { $0.0.customer } == ["ada", "ada", "bob", "cy"])
            #expect(pairs.map { $0.1?.sku } == ["pen", "ink", "pad", nil])
        }
    }

    @Test(arguments: Backend.allCases)
    func savingAJoinedModelWritesOnlyItsOwnTable(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            _ = try await seed(db)
            log.clear()
            let saved = try await db.write { tx in
                let pairs = try PurchaseOrder.all().join(OrderLine.self) { order, line in line.orderID == order.id }
                    .forUpdate(of: [PurchaseOrder.self])
                    .fetchAll(tx)
                var line = try #require(pairs.first { $0.1.sku == "pad" }?.1)
                try tx.update(&line) { $0.quantity = 4 }
                return line
            }
            #expect(saved.version == 2)
            let statements = log.dataStatements
            let select = try #require(statements.first)
            #expect(select.contains("JOIN \"order_lines\" AS \"t1\" ON"))
            #expect(select.hasSuffix("FOR UPDATE OF \"t0\"") == (backend == .postgres))
            let update = try #require(statements.last)
            #expect(update.hasPrefix("UPDATE \"order_lines\" SET \"quantity\" = "))
            let orders = try await db.read { tx in try PurchaseOrder.all().fetchAll(tx) }
            #expect(orders.allSatisfy { $0.version == 1 })
        }
    }

    @Test(arguments: Backend.allCases)
    func aModelJoinedWithItselfGetsTwoAliasesAndValuesStayBound(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let accounts = try await seedAccounts(db, balances: [10, 20, 30])
            let pairs = try await db.read { tx in
                try Account.all().join(Account.self) { lower, higher in lower.balance + 10 == higher.balance }
                    .where { lower, _ in lower.owner != "'; DROP TABLE accounts; --" }
                    .order { lower, _ in [lower.balance.ascending] }
                    .fetchAll(tx)
            }
            #expect(pairs.map { [$0.0.balance, $0.1.balance] } == [[10, 20], [20, 30]])
            #expect(pairs.first?.0 == accounts[0])
        }
    }

    @Test(arguments: Backend.allCases)
    func badJoinsAreRefusedBeforeAnythingIsSent(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            _ = try await seed(db)
            await #expect(throws: UsageError.self) {
                try await db.write { tx in
                    _ = try PurchaseOrder.all().join(OrderLine.self) { order, line in line.orderID == order.id }
                        .forUpdate(of: [Account.self]).fetchAll(tx)
                }
            }
            await #expect(throws: UsageError.self) {
                try await db.read { tx in
                    _ = try PurchaseOrder.all().limit(1).join(OrderLine.self) { order, line in line.orderID == order.id }.fetchAll(tx)
                }
            }
            await #expect(throws: UsageError.rowLockOutsideWriteTransaction) {
                try await db.read { tx in
                    _ = try PurchaseOrder.all().join(OrderLine.self) { order, line in line.orderID == order.id }
                        .forUpdate().fetchAll(tx)
                }
            }
        }
    }

    @Test(arguments: Backend.allCases)
    func includingLoadsEachParentsChildrenInBoundedQueries(backend: Backend) async throws {
        let log = StatementLog()
        try await withDatabase(backend, log: log) { db in
            let orders = try await db.write { tx in
                try tx.createTable(PurchaseOrder.self)
                try tx.createTable(OrderLine.self)
                var orders = (0..<1_500).map { PurchaseOrder(customer: "c\($0)") }
                try tx.insert(&orders)
                var lines = orders.flatMap { order in
                    (0..<Int(order.id ?? 0) % 3).map { OrderLine(orderID: order.id ?? 0, sku: "s\($0)", quantity: Int64($0)) }
                }
                try tx.insert(&lines)
                return orders
            }
            log.clear()
            let loaded = try await db.read { tx in
                try PurchaseOrder.all().order { [$0.id.ascending] }.fetchAll(tx, including: OrderLine.self, by: \.orderID)
            }
            #expect(loaded.count == 1_500)
            #expect(loaded.map { $0.0 } == orders)
            #expect(loaded.allSatisfy { order, lines in
                lines.count == Int(order.id ?? 0) % 3 && lines.allSatisfy { $0.orderID == order.id } && lines.map(\.sku) == lines.map(\.sku).sorted()
            })
            // One for the orders, two for their lines (1,000 keys a statement).
            #expect(log.dataStatements.filter { $0.hasPrefix("SELECT") }.count == 3)
        }
    }
}

extension PurchaseOrder { static let lines = HasMany<PurchaseOrder, OrderLine>(by: \.orderID) }
extension OrderLine { static let order = BelongsTo<OrderLine, PurchaseOrder>(by: \.orderID) }

@Suite struct AssociationTests {
    @Test(arguments: Backend.allCases)
    func declaredAssociationsJoinAndLoadWithoutAWrittenCondition(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let (order, lines) = try await db.write { tx -> (PurchaseOrder, [OrderLine]) in
                try tx.createTable(PurchaseOrder.self)
                try tx.createTable(OrderLine.self)
                var orders = [PurchaseOrder(customer: "ada"), PurchaseOrder(customer: "bob")]
                try tx.insert(&orders)
                let id = try #require(orders[0].id)
                var lines = [OrderLine(orderID: id, sku: "pen", quantity: 1), OrderLine(orderID: id, sku: "ink", quantity: 2)]
                try tx.insert(&lines)
                return (orders[0], lines)
            }
            let (joined, leftJoined, loaded, parents, parent) = try await db.read { tx in
                (try PurchaseOrder.all().join(PurchaseOrder.lines).order { _, line in [line.id.ascending] }.fetchAll(tx),
                 try PurchaseOrder.all().leftJoin(PurchaseOrder.lines).order { order, line in [order.id.ascending, line.id.ascending] }.fetchAll(tx),
                 try PurchaseOrder.all().order { [$0.id.ascending] }.fetchAll(tx, including: PurchaseOrder.lines),
                 try OrderLine.all().join(OrderLine.order).fetchAll(tx),
                 try OrderLine.order.parent(of: lines[1], in: tx))
            }
            #expect(joined.map { $0.1 } == lines)
            #expect(joined.allSatisfy { $0.0 == order })
            #expect(leftJoined.map { $0.1?.sku } == ["pen", "ink", nil])
            #expect(loaded.map { $0.1.count } == [2, 0])
            #expect(parents.allSatisfy { $0.1 == order })
            #expect(parent == order)
        }
    }
}
