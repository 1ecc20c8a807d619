import Foundation
import VersionedORMMacros

@Model(table: "accounts")
struct Account: Equatable {
    let id: Int64?
    var owner: String
    var balance: Int64
    var note: String?
    var version: Int64 = 0
}

/// Reserved words everywhere, and a version column that is not called "version". Hand-written, as models
/// declared without the macro keep working; its decoder reads through checked key paths.
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
        key = try row.next(\Order.key)
        group = try row.next(\Order.group)
        select = try row.next(\Order.select)
        lockVersion = try row.next(\Order.lockVersion)
    }
}

enum Tier: String, DatabaseValueConvertible, Equatable {
    case bronze, silver, gold
}

/// One column of every supported type, plain and optional.
@Model(table: "samples")
struct Sample: Equatable {
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
    @ColumnName("optional_flag") var optionalFlag: Bool?
    @ColumnName("optional_int") var optionalInt: Int?
    @ColumnName("optional_int32") var optionalInt32: Int32?
    @ColumnName("optional_int64") var optionalInt64: Int64?
    @ColumnName("optional_double") var optionalDouble: Double?
    @ColumnName("optional_text") var optionalText: String?
    @ColumnName("optional_data") var optionalData: Data?
    @ColumnName("optional_date") var optionalDate: Date?
    @ColumnName("optional_uuid") var optionalUUID: UUID?
    var version: Int64 = 0
}

/// A table created before the library: no version column until the migration helper adds it.
@Model(table: "legacy_items")
struct LegacyItem: Equatable {
    let id: Int64?
    var name: String
    var version: Int64 = 0
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
@Model(table: "jobs")
struct Job: Equatable {
    let id: Int64?
    var title: String
    @ColumnName("claimed_by") var claimedBy: String?
    var version: Int64 = 0
}

/// Used only by the metrics test, so its counters are its own.
@Model(table: "metered_counters")
struct MeteredCounter {
    let id: Int64?
    var value: Int64
    var version: Int64 = 0
}

/// A key the client chooses: a UUID, with columns outside the version and one property not stored.
@Model(table: "device_sessions")
struct DeviceSession: Equatable {
    @PrimaryKey("token") let sessionToken: UUID
    @ColumnName("user_name") var user: String
    var theme: String
    @Unversioned @ColumnName("last_seen_at") var lastSeenAt: Date?
    @Unversioned var views: Int64 = 0
    @Transient var greetingShown = false
    @Version("lock_version") var lockVersion: Int64 = 0
}

/// A natural key: the ISO country code.
@Model(table: "countries")
struct Country: Equatable {
    @PrimaryKey let code: String
    var name: String
    var population: Int64
    var version: Int64 = 0
}

/// Hand-written, with two reads of the same type swapped: the checked reads must refuse it.
struct SwappedAccount: Model {
    let id: Int64?
    var owner: String
    var balance: Int64
    var note: String?
    var version: Int64 = 0

    static let schema = Schema<SwappedAccount>(table: "accounts", primaryKey: \.id, version: \.version) {
        Column("owner", \.owner)
        Column("balance", \.balance)
        Column("note", \.note)
    }

    init(row: inout Row) throws {
        id = try row.next(\SwappedAccount.id)
        owner = try row.next(\SwappedAccount.owner)
        note = try row.next(\SwappedAccount.note)
        balance = try row.next(\SwappedAccount.balance)
        version = try row.next(\SwappedAccount.version)
    }
}

/// The inventory trial's product: a unique SKU beside the key.
@Model(table: "products")
struct Product: Equatable {
    let id: Int64?
    var sku: String
    var name: String
    var stock: Int64
    var version: Int64 = 0
}

@Model(table: "reservations")
struct Reservation: Equatable {
    let id: Int64?
    @ColumnName("product_id") var productID: Int64
    var quantity: Int64
    var version: Int64 = 0
}
