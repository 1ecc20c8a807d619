// A bank with ten accounts and eight concurrent "button clicks" per round: each request reads two balances,
// checks there is enough money, and moves some of it. First naively (read, compute, write back), then with
// versioned writes. The naive round loses money; the versioned round keeps the total to the cent.

import Foundation
import SQLiteDriver
import VersionedORMMacros

@Model(table: "accounts")
struct Account {
    let id: Int64?
    var owner: String
    var balance: Int64
    var version: Int64 = 0
}

let accountCount = 10
let openingBalance: Int64 = 1_000
let requests = 8
let transfersPerRequest = 100

struct Tally: Sendable {
    var transfers = 0
    var declined = 0
    var conflicts = 0
}

/// A deterministic pseudo-random stream per request, so runs are comparable.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Think time between reading and writing: the request validates, calls a fraud check, renders a page.
func think() async throws {
    try await Task.sleep(for: .microseconds(300))
}

func pickTransfer(_ random: inout SplitMix, ids: [Int64]) -> (from: Int64, to: Int64, amount: Int64) {
    let from = ids[Int(random.next() % UInt64(ids.count))]
    var to = from
    while to == from { to = ids[Int(random.next() % UInt64(ids.count))] }
    return (from, to, Int64(random.next() % 200) + 1)
}

func loadPair(_ db: Database, _ from: Int64, _ to: Int64) async throws -> (Account, Account)? {
    try await db.read { tx in
        guard let source = try tx.find(Account.self, id: from), let target = try tx.find(Account.self, id: to) else {
            return nil
        }
        return (source, target)
    }
}

/// The bug this library exists to prevent: write back balances computed from a read that may be out of date.
func naiveTransfer(_ db: Database, from: Int64, to: Int64, amount: Int64, tally: inout Tally) async throws {
    guard let (source, target) = try await loadPair(db, from, to) else { return }
    guard source.balance >= amount else { tally.declined += 1; return }
    try await think()
    try await db.write { tx in
        try tx.execute("UPDATE \(identifier: "accounts") SET \(identifier: "balance") = \(source.balance - amount) WHERE \(identifier: "id") = \(from)")
        try tx.execute("UPDATE \(identifier: "accounts") SET \(identifier: "balance") = \(target.balance + amount) WHERE \(identifier: "id") = \(to)")
    }
    tally.transfers += 1
}

/// The same request with versioned writes: if either account changed since it was read, nothing is written and
/// the whole request runs again on fresh balances.
func versionedTransfer(_ db: Database, from: Int64, to: Int64, amount: Int64, tally: inout Tally) async throws {
    let outcome = try await db.retrying(RetryPolicy(maxAttempts: 1_000, backoff: .none)) { _ -> Bool? in
        guard let (source, target) = try await loadPair(db, from, to) else { return nil }
        guard source.balance >= amount else { return false }
        try await think()
        try await db.write { tx in
            var source = source
            var target = target
            try tx.update(&source) { $0.balance -= amount }
            try tx.update(&target) { $0.balance += amount }
        }
        return true
    }
    tally.conflicts += outcome.attempts - 1
    switch outcome.value {
    case true?: tally.transfers += 1
    case false?: tally.declined += 1
    case nil: break
    }
}

func resetAccounts(_ db: Database) async throws -> [Int64] {
    try await db.write { tx in
        try tx.dropTable(Account.self, ifExists: true)
        try tx.createTable(Account.self)
        return try (1...accountCount).map { number in
            var account = Account(owner: "customer-\(number)", balance: openingBalance)
            try tx.insert(&account)
            return account.id ?? 0
        }
    }
}

func runRound(_ db: Database, name: String, versioned: Bool) async throws {
    let ids = try await resetAccounts(db)
    let expected = Int64(accountCount) * openingBalance
    let started = ContinuousClock.now
    let tally = try await withThrowingTaskGroup(of: Tally.self) { group in
        for request in 0..<requests {
            group.addTask {
                var random = SplitMix(state: UInt64(request + 1))
                var tally = Tally()
                for _ in 0..<transfersPerRequest {
                    let (from, to, amount) = pickTransfer(&random, ids: ids)
                    if versioned {
                        try await versionedTransfer(db, from: from, to: to, amount: amount, tally: &tally)
                    } else {
                        try await naiveTransfer(db, from: from, to: to, amount: amount, tally: &tally)
                    }
                }
                return tally
            }
        }
        var total = Tally()
        for try await partial in group {
            total.transfers += partial.transfers
            total.declined += partial.declined
            total.conflicts += partial.conflicts
        }
        return total
    }
    let elapsed = ContinuousClock.now - started
    let accounts = try await db.read { tx in try Account.all().fetchAll(tx) }
    let total = accounts.reduce(0) { $0 + $1.balance }
    let negative = accounts.filter { $0.balance < 0 }.count
    let drift = total - expected
    print("""

        \(name)
          transfers done      \(tally.transfers) (declined for insufficient funds: \(tally.declined))
          conflicts retried   \(tally.conflicts)
          money in the bank   \(total) (should be \(expected))
          difference          \(drift == 0 ? "0, nothing lost" : "\(drift) — money \(drift < 0 ? "destroyed" : "created") by lost updates")
          negative balances   \(negative)
          time                \(elapsed.formatted(.units(allowed: [.milliseconds])))
        """)
}

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("versioned-orm-example")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
let path = directory.appendingPathComponent("bank.sqlite").path
let db = try await Database.sqlite(path: path)
print("""
    VersionedORM example: \(requests) concurrent requests × \(transfersPerRequest) transfers between \(accountCount) accounts
    of \(openingBalance) each, on SQLite (\(path)).
    Each request reads two balances, thinks for a moment, then writes.
    """)
try await runRound(db, name: "1. naive read-modify-write (UPDATE … SET balance = <value computed in Swift>)", versioned: false)
try await runRound(db, name: "2. versioned writes (tx.update, retried on StaleRecordError)", versioned: true)
await db.close()
