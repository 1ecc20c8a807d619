import PostgresNIO

// The statements peer-bench sends through PostgresNIO's prepared-statement API: each is parsed once per
// connection, under its type's name, and then only bound and executed.

/// W1: one account by key.
struct FindAccount: PostgresPreparedStatement {
    static let sql = "SELECT id, owner, balance, note, version FROM peer_accounts WHERE id = $1"
    typealias Row = PeerAccount

    var id: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PeerAccount { try PeerAccount(row) }
}

/// W1: the versioned save of every column.
/// The UPDATEs return their key and are counted by rows rather than read by command tag: PostgresNIO 1.33.2's
/// `execute(_:)` for a statement without rows trapped here ("commandTag may only be called if all rows have been
/// consumed", PSQLRowStream.swift:422). Counting returned rows costs the same round trip.
struct SaveAccount: PostgresPreparedStatement {
    static let sql = "UPDATE peer_accounts SET owner = $1, balance = $2, note = $3, version = version + 1 WHERE id = $4 AND version = $5 RETURNING id"
    // Declared, so the statement's types do not depend on whether its first execution binds a NULL note.
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .text, .int8, .int8]
    typealias Row = Int64

    var account: PeerAccount

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(account.owner)
        bindings.append(account.balance)
        bindings.append(account.note)
        bindings.append(account.id)
        bindings.append(account.version)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// W2: the whole table.
struct FetchAllAccounts: PostgresPreparedStatement {
    static let sql = "SELECT id, owner, balance, note, version FROM peer_accounts"
    typealias Row = PeerAccount

    func makeBindings() -> PostgresBindings { PostgresBindings() }

    func decodeRow(_ row: PostgresRow) throws -> PeerAccount { try PeerAccount(row) }
}

/// W3: one row, its generated key returned.
struct InsertAccount: PostgresPreparedStatement {
    static let sql = "INSERT INTO peer_accounts (owner, balance, note, version) VALUES ($1, $2, $3, 1) RETURNING id"
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .text]
    typealias Row = Int64

    var number: Int

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(PeerRows.owner(number))
        bindings.append(Int64(number))
        bindings.append(PeerRows.note(number))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// W3B and the table's seed: many rows in one statement, each column bound as one array and unnested server-side.
struct InsertAccountBatch: PostgresPreparedStatement {
    static let sql = """
        INSERT INTO peer_accounts (owner, balance, note, version) \
        SELECT owner, balance, note, 1 FROM unnest($1::text[], $2::bigint[], $3::text[]) AS batch(owner, balance, note) \
        RETURNING id
        """
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .int8Array, .textArray]
    typealias Row = Int64

    var owners: [String]
    var balances: [Int64]
    var notes: NullableTextArray

    /// Rows `numbers` as W3 inserts them (balance N).
    init(numbers: Range<Int>) {
        owners = numbers.map(PeerRows.owner)
        balances = numbers.map { Int64($0) }
        notes = NullableTextArray(elements: numbers.map(PeerRows.note))
    }

    /// Rows `numbers` as a fresh table holds them (balance 0).
    init(seeding numbers: Range<Int>) {
        self.init(numbers: numbers)
        balances = Array(repeating: 0, count: numbers.count)
    }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(owners)
        bindings.append(balances)
        bindings.append(notes)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// Contention, optimistic: the row's balance and version.
struct FindBalance: PostgresPreparedStatement {
    static let sql = "SELECT balance, version FROM peer_accounts WHERE id = $1"
    typealias Row = (Int64, Int64)

    var id: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> (Int64, Int64) { try row.decode((Int64, Int64).self) }
}

/// Contention, pessimistic: the row's balance, the row locked until the transaction ends.
struct LockBalance: PostgresPreparedStatement {
    static let sql = "SELECT balance FROM peer_accounts WHERE id = $1 FOR UPDATE"
    typealias Row = Int64

    var id: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// Contention, optimistic: the versioned UPDATE of the balance alone.
struct SaveBalanceIfVersion: PostgresPreparedStatement {
    static let sql = "UPDATE peer_accounts SET balance = $1, version = version + 1 WHERE id = $2 AND version = $3 RETURNING id"
    typealias Row = Int64

    var id: Int64
    var balance: Int64
    var version: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(balance)
        bindings.append(id)
        bindings.append(version)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// Contention, pessimistic: the UPDATE of a row already locked.
struct SaveBalance: PostgresPreparedStatement {
    static let sql = "UPDATE peer_accounts SET balance = $1, version = version + 1 WHERE id = $2 RETURNING id"
    typealias Row = Int64

    var id: Int64
    var balance: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(balance)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

/// Contention, atomic: the increment in the statement itself.
struct IncrementBalance: PostgresPreparedStatement {
    static let sql = "UPDATE peer_accounts SET balance = balance + 1, version = version + 1 WHERE id = $1 RETURNING id"
    typealias Row = Int64

    var id: Int64

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
}

extension PeerAccount {
    /// Decodes `id, owner, balance, note, version` in that order, PostgresNIO's tuple decode being its fast path.
    init(_ row: PostgresRow) throws {
        let (id, owner, balance, note, version) = try row.decode((Int64, String, Int64, String?, Int64).self)
        self.init(id: id, owner: owner, balance: balance, note: note, version: version)
    }
}
