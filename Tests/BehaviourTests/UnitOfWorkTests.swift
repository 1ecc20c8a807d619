import Foundation
import Testing
import VersionedORMMacros

struct OutOfStock: Error {}

/// The trial's reservation, written once: the strategy is the argument.
func reserve(_ db: Database, sku: String, using strategy: LockStrategy) async throws -> Int {
    try await db.write(using: strategy) { tx in
        guard var product = try Product.where({ $0.sku == sku }).fetchOne(tx) else { throw OutOfStock() }
        guard product.stock > 0, let productID = product.id else { throw OutOfStock() }
        try tx.update(&product) { $0.stock -= 1 }
        var reservation = Reservation(productID: productID, quantity: 1)
        try tx.insert(&reservation)
    }.attempts
}

@Suite struct UnitOfWorkTests {
    private static let strategies: [LockStrategy] = [
        .optimistic(retry: RetryPolicy()), .pessimistic(.wait), .merge(retry: RetryPolicy()),
    ]

    private func seedProducts(_ db: Database, stock: Int64) async throws {
        try await db.write { tx in
            try tx.createTable(Product.self)
            try tx.createTable(Reservation.self)
            var products = [Product(sku: "hot", name: "Hot item", stock: stock),
                            Product(sku: "cold", name: "Cold item", stock: stock)]
            try tx.insert(&products)
        }
    }

    @Test(arguments: Backend.allCases, [0, 1, 2])
    func everyStrategyReservesWithoutOverselling(backend: Backend, strategyIndex: Int) async throws {
        let strategy = Self.strategies[strategyIndex]
        try await withDatabase(backend, poolSize: 6) { db in
            try await seedProducts(db, stock: 150)
            let tasks = 8, each = 25
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var reserved = 0
                        for _ in 0..<each {
                            do {
                                _ = try await reserve(db, sku: "hot", using: strategy)
                                reserved += 1
                            } catch is OutOfStock {}
                        }
                        return reserved
                    }
                }
                var reserved = 0
                for try await count in group { reserved += count }
                #expect(reserved == 150, "200 attempts on a stock of 150")
            }
            let (products, reservations) = try await db.read { tx in
                (try Product.order { [$0.id.ascending] }.fetchAll(tx), try Reservation.all().count(tx))
            }
            #expect(products.map(\.stock) == [0, 150])
            #expect(reservations == 150)
        }
    }

    @Test func pessimisticUnitsLockWhatTheyReadOnPostgres() async throws {
        let log = StatementLog()
        try await withDatabase(.postgres, log: log) { db in
            try await seedProducts(db, stock: 5)
            log.clear()
            try await db.write(using: .pessimistic(.noWait)) { tx in
                _ = try Product.where { $0.sku == "hot" }.fetchOne(tx)
                _ = try tx.find(Product.self, id: 2)
                _ = try Product.all().count(tx)
            }
            let selects = log.dataStatements.filter { $0.hasPrefix("SELECT") }
            #expect(selects.count == 3)
            #expect(selects.prefix(2).allSatisfy { $0.hasSuffix("FOR UPDATE NOWAIT") }, "\(selects)")
            // A plain write locks nothing it reads.
            log.clear()
            try await db.write { tx in _ = try tx.find(Product.self, id: 2) }
            #expect(!log.dataStatements.contains { $0.contains("FOR UPDATE") })
        }
    }

    @Test(arguments: Backend.allCases)
    func modifyTakesAUniqueFilter(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            try await seedProducts(db, stock: 3)
            let modified = try await db.modify(Product.self, where: { $0.sku == "cold" }, using: .optimistic(retry: RetryPolicy())) {
                $0.stock += 10
            }
            #expect(modified.value.stock == 13 && modified.value.sku == "cold")
            await #expect(throws: ModificationError.noMatch(model: "Product")) {
                _ = try await db.modify(Product.self, where: { $0.sku == "none" }, using: .pessimistic(.wait)) { $0.stock = 0 }
            }
            await #expect(throws: ModificationError.notUnique(model: "Product")) {
                _ = try await db.modify(Product.self, where: { $0.stock >= 0 }, using: .pessimistic(.wait)) { $0.stock = 0 }
            }
        }
    }
}

/// Versions held by a client between requests: the form recipe of the README.
@Suite struct ClientVersionTests {
    private func seed(_ db: Database) async throws -> Product {
        try await db.write { tx in
            try tx.createTable(Product.self)
            try tx.createTable(Reservation.self)
            var product = Product(sku: "p1", name: "Kettle", stock: 10)
            try tx.insert(&product)
            return product
        }
    }

    /// The form handler: the client posts the version and the original values it was shown, and its edit.
    private func rename(_ db: Database, id: Int64, version: Int64, seen: Product?, to name: String) async throws -> Product {
        try await db.write { tx in
            guard var product = try tx.find(Product.self, id: id) else { throw OutOfStock() }
            try tx.update(&product, expecting: version, seen: seen) { $0.name = name }
            return product
        }
    }

    @Test(arguments: Backend.allCases)
    func aFormOnAHotRowIsRefusedByVersionButMergedWhenItSaysWhatItSaw(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            let shown = try await seed(db)
            let id = try #require(shown.id)
            // Reservations move the version on while the user edits the name.
            _ = try await reserve(db, sku: "p1", using: .optimistic(retry: RetryPolicy()))
            _ = try await reserve(db, sku: "p1", using: .optimistic(retry: RetryPolicy()))

            // Version only: refused, and nothing written.
            let stale = await expectStale { _ = try await rename(db, id: id, version: shown.version, seen: nil, to: "Teapot") }
            #expect(stale?.expectedVersion == 1)
            #expect(stale?.current == .modified(currentVersion: 3))

            // With what it saw: the stock changed, the name did not, so the rename applies to the current row.
            let renamed = try await rename(db, id: id, version: shown.version, seen: shown, to: "Teapot")
            #expect(renamed.name == "Teapot" && renamed.stock == 8 && renamed.version == 4)

            // A second client that saw the old name and renames too conflicts with the first: refused.
            let conflict = await expectStale { _ = try await rename(db, id: id, version: shown.version, seen: shown, to: "Pot") }
            #expect(conflict?.current == .modified(currentVersion: 4))
            let row = try await db.read { tx in try tx.find(Product.self, id: id) }
            #expect(row?.name == "Teapot" && row?.stock == 8)

            // At the current version the client's edit is an ordinary update.
            let current = try #require(row)
            let again = try await rename(db, id: id, version: current.version, seen: nil, to: "Pot")
            #expect(again.name == "Pot" && again.version == 5)
        }
    }

    @Test(arguments: Backend.allCases)
    func writtenValuesHoldTheDatesTheDatabaseHolds(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            // 0.1234567 s: finer than the microsecond both databases keep.
            let date = Date(timeIntervalSince1970: 1_700_000_000.1234567)
            var sample = Sample(flag: true, int: 1, int32: 1, int64: 1, double: 1, text: "t", data: Data(), date: date,
                                uuid: UUID(), tier: .gold, optionalDate: date)
            try await write(db, &sample) { tx, value in
                try tx.createTable(Sample.self)
                try tx.insert(&value)
            }
            #expect(sample.date != date)
            let id = try #require(sample.id)
            let fetched = try await db.read { tx in try tx.find(Sample.self, id: id) }
            #expect(fetched == sample)
            var batch = [sample, sample].map { Sample(flag: $0.flag, int: 2, int32: 2, int64: 2, double: 2, text: "b",
                                                      data: Data(), date: date, uuid: UUID(), tier: .silver) }
            try await write(db, &batch) { tx, values in try tx.insert(&values) }
            let keys = batch.compactMap(\.id)
            let batchFetched = try await db.read { tx in try keys.map { try tx.find(Sample.self, id: $0) } }
            #expect(batchFetched == batch.map { Optional($0) })
            // Saved and updated values hold the stored dates too.
            var saved = sample
            try await write(db, &saved) { tx, value in
                value.date = date.addingTimeInterval(1)
                value.optionalDate = date.addingTimeInterval(2)
                try tx.save(&value)
            }
            #expect(try await db.read { tx in try tx.find(Sample.self, id: id) } == saved)
            try await write(db, &saved) { tx, value in try tx.update(&value) { $0.date = date.addingTimeInterval(3) } }
            #expect(try await db.read { tx in try tx.find(Sample.self, id: id) } == saved)
        }
    }
}
