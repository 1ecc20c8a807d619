import Foundation
import Testing
import VersionedORMMacros

@Suite struct AggregateTests {
    @Test(arguments: Backend.allCases)
    func sumsMinimaMaximaAveragesAndCountsWithAndWithoutGroups(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            _ = try await seedAccounts(db, balances: [10, 20, 30, 40])
            try await db.write { tx in
                _ = try Account.where { $0.balance >= 30 }.updateAll(tx) { $0.owner = .value("rich") }
            }
            let (sum, minimum, maximum, average, count, none) = try await db.read { tx in
                (try Account.all().aggregate(tx) { $0.balance.sum },
                 try Account.all().aggregate(tx) { $0.balance.min },
                 try Account.where { $0.owner == "rich" }.aggregate(tx) { $0.balance.max },
                 try Account.all().aggregate(tx) { $0.balance.average },
                 try Account.all().aggregate(tx) { _ in .count },
                 try Account.where { $0.balance > 1_000 }.aggregate(tx) { $0.balance.sum })
            }
            #expect(sum == 100 && minimum == 10 && maximum == 40 && average == 25 && count == 4)
            #expect(none == nil, "SUM over no rows is nil")
            let perOwner = try await db.read { tx in
                try Account.all().aggregate(tx, groupedBy: { $0.owner }) { $0.balance.sum }
            }
            #expect(perOwner.map(\.key) == ["owner0", "owner1", "rich"])
            #expect(perOwner.map(\.value) == [10, 20, 70])
            let counted = try await db.read { tx in
                try Account.all().aggregate(tx, groupedBy: { $0.owner }) { _ in .count }
            }
            #expect(counted.map(\.value) == [1, 1, 2])
        }
    }

    @Test(arguments: Backend.allCases)
    func aSumThatDoesNotFitIsAnErrorNeverAWrappedNumber(backend: Backend) async throws {
        try await withDatabase(backend) { db in
            _ = try await seedAccounts(db, balances: [Int64.max, 1])
            await #expect(throws: DatabaseError.self) {
                _ = try await db.read { tx in try Account.all().aggregate(tx) { $0.balance.sum } }
            }
            await #expect(throws: UsageError.self) {
                _ = try await db.read { tx in try Account.all().limit(1).aggregate(tx) { _ in .count } }
            }
        }
    }
}
