import Foundation
import VersionedORM

struct Account: Model, Equatable {
    let id: Int64?
    var owner: String
    var balance: Int64
    var note: String?
    var version: Int64 = 0

    init(id: Int64? = nil, owner: String, balance: Int64, note: String? = nil) {
        self.id = id
        self.owner = owner
        self.balance = balance
        self.note = note
    }

    static let schema = Schema<Account>(table: "accounts", primaryKey: \.id, version: \.version) {
        Column("owner", \.owner)
        Column("balance", \.balance)
        Column("note", \.note)
    }

    init(row: inout Row) throws {
        id = try row.next()
        owner = try row.next()
        balance = try row.next()
        note = try row.next()
        version = try row.next()
    }
}

/// Reserved words everywhere, and a version column that is not called "version".
struct Order: Model, Equatable {
    let key: Int64?
    var group: String
    var select: Int64
    var lockVersion: Int64 = 0

    static let schema = Schema<Order>(
        table: "order", primaryKey: \.key, primaryKeyColumn: "where", version: \.lockVersion,
        versionColumn: "lock_version"
    ) {
        Column("group", \.group)
        Column("select", \.select)
    }

    init(group: String, select: Int64) {
        key = nil
        self.group = group
        self.select = select
    }

    init(row: inout Row) throws {
        key = try row.next()
        group = try row.next()
        select = try row.next()
        lockVersion = try row.next()
    }
}

enum Tier: String, DatabaseValueConvertible, Equatable {
    case bronze, silver, gold
}

/// One column of every supported type, plain and optional.
struct Sample: Model, Equatable {
    let id: Int64?
    var flag: Bool
    var int: Int
    var int32: Int32
    var int64: Int64
    var double: Double
    var text: String
    var data: Data
    var date: Date
    var uuid: UUID
    var tier: Tier
    var optionalFlag: Bool?
    var optionalInt: Int?
    var optionalInt32: Int32?
    var optionalInt64: Int64?
    var optionalDouble: Double?
    var optionalText: String?
    var optionalData: Data?
    var optionalDate: Date?
    var optionalUUID: UUID?
    var version: Int64 = 0

    static let schema = Schema<Sample>(table: "samples", primaryKey: \.id, version: \.version) {
        Column("flag", \.flag)
        Column("int", \.int)
        Column("int32", \.int32)
        Column("int64", \.int64)
        Column("double", \.double)
        Column("text", \.text)
        Column("data", \.data)
        Column("date", \.date)
        Column("uuid", \.uuid)
        Column("tier", \.tier)
        Column("optional_flag", \.optionalFlag)
        Column("optional_int", \.optionalInt)
        Column("optional_int32", \.optionalInt32)
        Column("optional_int64", \.optionalInt64)
        Column("optional_double", \.optionalDouble)
        Column("optional_text", \.optionalText)
        Column("optional_data", \.optionalData)
        Column("optional_date", \.optionalDate)
        Column("optional_uuid", \.optionalUUID)
    }

    init(flag: Bool, int: Int, int32: Int32, int64: Int64, double: Double, text: String, data: Data, date: Date,
         uuid: UUID, tier: Tier, optionalFlag: Bool? = nil, optionalInt: Int? = nil, optionalInt32: Int32? = nil,
         optionalInt64: Int64? = nil, optionalDouble: Double? = nil, optionalText: String? = nil,
         optionalData: Data? = nil, optionalDate: Date? = nil, optionalUUID: UUID? = nil) {
        id = nil
        self.flag = flag; self.int = int; self.int32 = int32; self.int64 = int64; self.double = double
        self.text = text; self.data = data; self.date = date; self.uuid = uuid; self.tier = tier
        self.optionalFlag = optionalFlag; self.optionalInt = optionalInt; self.optionalInt32 = optionalInt32
        self.optionalInt64 = optionalInt64; self.optionalDouble = optionalDouble; self.optionalText = optionalText
        self.optionalData = optionalData; self.optionalDate = optionalDate; self.optionalUUID = optionalUUID
    }

    init(row: inout Row) throws {
        id = try row.next(); flag = try row.next(); int = try row.next(); int32 = try row.next()
        int64 = try row.next(); double = try row.next(); text = try row.next(); data = try row.next()
        date = try row.next(); uuid = try row.next(); tier = try row.next()
        optionalFlag = try row.next(); optionalInt = try row.next(); optionalInt32 = try row.next()
        optionalInt64 = try row.next(); optionalDouble = try row.next(); optionalText = try row.next()
        optionalData = try row.next(); optionalDate = try row.next(); optionalUUID = try row.next()
        version = try row.next()
    }
}

/// A table created before the library: no version column until the migration helper adds it.
struct LegacyItem: Model, Equatable {
    let id: Int64?
    var name: String
    var version: Int64 = 0

    static let schema = Schema<LegacyItem>(table: "legacy_items", primaryKey: \.id, version: \.version) {
        Column("name", \.name)
    }

    init(row: inout Row) throws {
        id = try row.next(); name = try row.next(); version = try row.next()
    }
}

/// Reads the accounts table but its initializer forgets a column; decoding must say so, not mis-assign.
struct ForgetfulAccount: Model {
    let id: Int64?
    var owner: String
    var balance: Int64 = 0
    var version: Int64 = 0

    static let schema = Schema<ForgetfulAccount>(table: "accounts", primaryKey: \.id, version: \.version) {
        Column("owner", \.owner)
        Column("balance", \.balance)
    }

    init(row: inout Row) throws {
        id = try row.next(); owner = try row.next(); version = try row.next()
    }
}

/// Names that must be refused before any SQL is built.
struct BadlyNamed: Model {
    let id: Int64?
    var name: String
    var version: Int64 = 0

    static let schema = Schema<BadlyNamed>(table: "bad\"; DROP TABLE accounts; --", primaryKey: \.id,
                                           version: \.version) {
        Column("", \.name)
    }

    init(name: String) { id = nil; self.name = name }

    init(row: inout Row) throws {
        id = try row.next(); name = try row.next(); version = try row.next()
    }
}

/// A job queue row, for SKIP LOCKED.
struct Job: Model, Equatable {
    let id: Int64?
    var title: String
    var claimedBy: String?
    var version: Int64 = 0

    static let schema = Schema<Job>(table: "jobs", primaryKey: \.id, version: \.version) {
        Column("title", \.title)
        Column("claimed_by", \.claimedBy)
    }

    init(title: String) { id = nil; self.title = title }

    init(row: inout Row) throws {
        id = try row.next(); title = try row.next(); claimedBy = try row.next(); version = try row.next()
    }
}

/// Used only by the metrics test, so its counters are its own.
struct MeteredCounter: Model {
    let id: Int64?
    var value: Int64
    var version: Int64 = 0

    static let schema = Schema<MeteredCounter>(table: "metered_counters", primaryKey: \.id, version: \.version) {
        Column("value", \.value)
    }

    init(value: Int64) { id = nil; self.value = value }

    init(row: inout Row) throws {
        id = try row.next(); value = try row.next(); version = try row.next()
    }
}
