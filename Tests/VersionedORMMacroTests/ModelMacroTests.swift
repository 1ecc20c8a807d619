import MacroTesting
import SwiftSyntaxMacroExpansion
import Testing
import VersionedORMMacroPlugin

// Snapshots of what `@Model` writes and refuses. The generated code is compiled and run against both databases
// by BehaviourTests (ModelMacroBehaviourTests and every macro-declared test model).
@Suite(.macros([
    "Model": MacroSpec(type: ModelMacro.self, conformances: ["Model"]), "PrimaryKey": MacroSpec(type: MarkerMacro.self),
    "Version": MacroSpec(type: MarkerMacro.self), "ColumnName": MacroSpec(type: MarkerMacro.self),
    "Unversioned": MacroSpec(type: MarkerMacro.self), "Transient": MacroSpec(type: MarkerMacro.self),
    "Unique": MacroSpec(type: MarkerMacro.self), "Indexed": MacroSpec(type: MarkerMacro.self),
    "ColumnDefault": MacroSpec(type: MarkerMacro.self), "References": MacroSpec(type: MarkerMacro.self),
], record: .missing))
struct ModelMacroTests {
    @Test func aModelWithADatabaseGeneratedKey() {
        assertMacro {
            """
            @Model(table: "accounts")
            struct Account {
                let id: Int64?
                var owner: String
                var balance: Int64
                var note: String?
                var version: Int64 = 0
            }
            """
        } expansion: {
            #"""
            struct Account {
                let id: Int64?
                var owner: String
                var balance: Int64
                var note: String?
                var version: Int64 = 0
            }

            extension Account: VersionedORM.Model {
                typealias Key = Int64

                static let schema = VersionedORM.Schema<Account>(
                    table: "accounts",
                    primaryKey: \.id, primaryKeyColumn: "id",
                    version: \.version, versionColumn: "version"
                ) {
                    VersionedORM.Column("owner", \Account.owner, read: {
                            $0.owner
                        })
                    VersionedORM.Column("balance", \Account.balance, read: {
                            $0.balance
                        })
                    VersionedORM.Column("note", \Account.note, read: {
                            $0.note
                        })
                }

                init(row: inout VersionedORM.Row) throws {
                    self.id = try row.next()
                    self.owner = try row.next()
                    self.balance = try row.next()
                    self.note = try row.next()
                    self.version = try row.next()
                }

                struct ColumnPaths: VersionedORM.ModelColumnPaths {
                    init() {
                    }
                    var id: KeyPath<Account, Int64?> {
                        \.id
                    }
                    var owner: KeyPath<Account, String> {
                        \.owner
                    }
                    var balance: KeyPath<Account, Int64> {
                        \.balance
                    }
                    var note: KeyPath<Account, String?> {
                        \.note
                    }
                    var version: KeyPath<Account, Int64> {
                        \.version
                    }
                }

                /// A value not yet inserted: the database assigns the key, and the version is 0 until then.
                init(owner: String, balance: Int64, note: String? = nil) {
                    self.id = nil
                    self.owner = owner
                    self.balance = balance
                    self.note = note
                    self.version = 0
                }
            }
            """#
        }
    }

    @Test func aClientChosenKeyMarksAndAPublicModel() {
        assertMacro {
            """
            @Model
            public struct DeviceSession {
                @PrimaryKey("token") let sessionToken: UUID
                @ColumnName("user_name") var user: String
                @Unversioned var lastSeenAt: Date
                @Unversioned var views: Int64 = 0
                @Transient var cachedGreeting: String = ""
                var greeting: String { "hello \\(user)" }
                static let maximum = 10
                @Version("lock_version") var lockVersion: Int64 = 0
            }
            """
        } expansion: {
            #"""
            public struct DeviceSession {
                let sessionToken: UUID
                var user: String
                var lastSeenAt: Date
                var views: Int64 = 0
                var cachedGreeting: String = ""
                var greeting: String { "hello \(user)" }
                static let maximum = 10
                var lockVersion: Int64 = 0
            }

            extension DeviceSession: VersionedORM.Model {
                public typealias Key = UUID

                public static let schema = VersionedORM.Schema<DeviceSession>(
                    table: "device_session",
                    primaryKey: \.sessionToken, primaryKeyColumn: "token",
                    version: \.lockVersion, versionColumn: "lock_version"
                ) {
                    VersionedORM.Column("user_name", \DeviceSession.user, read: {
                            $0.user
                        })
                    VersionedORM.Column("lastSeenAt", \DeviceSession.lastSeenAt, versioned: false, read: {
                            $0.lastSeenAt
                        })
                    VersionedORM.Column("views", \DeviceSession.views, versioned: false, read: {
                            $0.views
                        })
                }

                public init(row: inout VersionedORM.Row) throws {
                    self.sessionToken = try row.next()
                    self.user = try row.next()
                    self.lastSeenAt = try row.next()
                    self.views = try row.next()
                    self.lockVersion = try row.next()
                }

                public struct ColumnPaths: VersionedORM.ModelColumnPaths {
                    public init() {
                    }
                    public var sessionToken: KeyPath<DeviceSession, UUID> {
                        \.sessionToken
                    }
                    public var user: KeyPath<DeviceSession, String> {
                        \.user
                    }
                    public var lastSeenAt: KeyPath<DeviceSession, Date> {
                        \.lastSeenAt
                    }
                    public var views: KeyPath<DeviceSession, Int64> {
                        \.views
                    }
                    public var lockVersion: KeyPath<DeviceSession, Int64> {
                        \.lockVersion
                    }
                }
            }
            """#
        }
    }

    @Test func aStringNaturalKeyAndAHandWrittenInitializerOfTheSameShape() {
        assertMacro {
            """
            @Model(table: "countries")
            struct Country {
                @PrimaryKey let code: String
                var name: String
                var version: Int64 = 0

                init(code: String, name: String) {
                    self.code = code
                    self.name = name
                }
            }

            @Model(table: "cities")
            struct City {
                let id: Int64?
                var name: String
                var version: Int64 = 0

                init(name: String) {
                    self.id = nil
                    self.name = name
                }
            }
            """
        } expansion: {
            #"""
            struct Country {
                let code: String
                var name: String
                var version: Int64 = 0

                init(code: String, name: String) {
                    self.code = code
                    self.name = name
                }
            }
            struct City {
                let id: Int64?
                var name: String
                var version: Int64 = 0

                init(name: String) {
                    self.id = nil
                    self.name = name
                }
            }

            extension Country: VersionedORM.Model {
                typealias Key = String

                static let schema = VersionedORM.Schema<Country>(
                    table: "countries",
                    primaryKey: \.code, primaryKeyColumn: "code",
                    version: \.version, versionColumn: "version"
                ) {
                    VersionedORM.Column("name", \Country.name, read: {
                            $0.name
                        })
                }

                init(row: inout VersionedORM.Row) throws {
                    self.code = try row.next()
                    self.name = try row.next()
                    self.version = try row.next()
                }

                struct ColumnPaths: VersionedORM.ModelColumnPaths {
                    init() {
                    }
                    var code: KeyPath<Country, String> {
                        \.code
                    }
                    var name: KeyPath<Country, String> {
                        \.name
                    }
                    var version: KeyPath<Country, Int64> {
                        \.version
                    }
                }
            }

            extension City: VersionedORM.Model {
                typealias Key = Int64

                static let schema = VersionedORM.Schema<City>(
                    table: "cities",
                    primaryKey: \.id, primaryKeyColumn: "id",
                    version: \.version, versionColumn: "version"
                ) {
                    VersionedORM.Column("name", \City.name, read: {
                            $0.name
                        })
                }

                init(row: inout VersionedORM.Row) throws {
                    self.id = try row.next()
                    self.name = try row.next()
                    self.version = try row.next()
                }

                struct ColumnPaths: VersionedORM.ModelColumnPaths {
                    init() {
                    }
                    var id: KeyPath<City, Int64?> {
                        \.id
                    }
                    var name: KeyPath<City, String> {
                        \.name
                    }
                    var version: KeyPath<City, Int64> {
                        \.version
                    }
                }
            }
            """#
        }
    }

    @Test func aVarKeyAndALetVersionAreRefusedWithFixIts() {
        assertMacro {
            """
            @Model(table: "accounts")
            struct Account {
                var id: Int64?
                var owner: String
                let version: Int64
            }
            """
        } diagnostics: {
            """
            @Model(table: "accounts")
            struct Account {
                var id: Int64?
                ┬──
                ╰─ 🛑 the primary key 'id' must be a 'let', so that a loaded value can never be pointed at another row
                   ✏️ replace 'var' with 'let'
                var owner: String
                let version: Int64
                ┬──
                ╰─ 🛑 the version 'version' must be a 'var': the library writes the new version into it after every save
                   ✏️ replace 'let' with 'var'
            }
            """
        } fixes: {
            """
            @Model(table: "accounts")
            struct Account {
                let id: Int64?
                var owner: String
                var version: Int64
            }
            """
        } expansion: {
            #"""
            struct Account {
                let id: Int64?
                var owner: String
                var version: Int64
            }

            extension Account: VersionedORM.Model {
                typealias Key = Int64

                static let schema = VersionedORM.Schema<Account>(
                    table: "accounts",
                    primaryKey: \.id, primaryKeyColumn: "id",
                    version: \.version, versionColumn: "version"
                ) {
                    VersionedORM.Column("owner", \Account.owner, read: {
                            $0.owner
                        })
                }

                init(row: inout VersionedORM.Row) throws {
                    self.id = try row.next()
                    self.owner = try row.next()
                    self.version = try row.next()
                }

                struct ColumnPaths: VersionedORM.ModelColumnPaths {
                    init() {
                    }
                    var id: KeyPath<Account, Int64?> {
                        \.id
                    }
                    var owner: KeyPath<Account, String> {
                        \.owner
                    }
                    var version: KeyPath<Account, Int64> {
                        \.version
                    }
                }

                /// A value not yet inserted: the database assigns the key, and the version is 0 until then.
                init(owner: String) {
                    self.id = nil
                    self.owner = owner
                    self.version = 0
                }
            }
            """#
        }
    }

    @Test func missingKeyAndVersionAreRefusedWithFixIts() {
        assertMacro {
            """
            @Model(table: "notes")
            struct Note {
                var text: String
            }

            @Model(table: "tags")
            struct Tag {
                let id: Int64?
                var name: String
            }
            """
        } diagnostics: {
            """
            @Model(table: "notes")
            struct Note {
                   ┬───
                   ├─ 🛑 @Model needs a primary key: add 'let id: Int64?' (generated by the database) or mark a property @PrimaryKey
                   │  ✏️ add 'let id: Int64?' and 'var version: Int64 = 0'
                   ╰─ 🛑 @Model needs a version property: add 'var version: Int64 = 0' or mark an Int64 property @Version
                var text: String
            }

            @Model(table: "tags")
            struct Tag {
                   ┬──
                   ╰─ 🛑 @Model needs a version property: add 'var version: Int64 = 0' or mark an Int64 property @Version
                      ✏️ add 'var version: Int64 = 0'
                let id: Int64?
                var name: String
            }
            """
        }
    }

    @Test func unsupportedTypesTransientsWithoutDefaultsAndMissingTypes() {
        assertMacro {
            """
            @Model(table: "things")
            struct Thing {
                let id: Int64?
                var tags: [String]
                var pair: (Int, Int)
                var nested: Int??
                @Transient var cache: String
                var inferred = 5
                let fixed: Int = 3
                var version: Int32 = 0
            }
            """
        } diagnostics: {
            """
            @Model(table: "things")
            struct Thing {
                let id: Int64?
                var tags: [String]
                          ┬───────
                          ╰─ 🛑 'tags' has type '[String]', which no column can hold; use a DatabaseValueConvertible type (Bool, Int, Int32, Int64, Double, String, Data, Date, UUID, an Optional of one, or your own), or mark it @Transient
                var pair: (Int, Int)
                          ┬─────────
                          ╰─ 🛑 'pair' has type '(Int, Int)', which no column can hold; use a DatabaseValueConvertible type (Bool, Int, Int32, Int64, Double, String, Data, Date, UUID, an Optional of one, or your own), or mark it @Transient
                var nested: Int??
                            ┬────
                            ╰─ 🛑 'nested' has type 'Int??', which no column can hold; use a DatabaseValueConvertible type (Bool, Int, Int32, Int64, Double, String, Data, Date, UUID, an Optional of one, or your own), or mark it @Transient
                @Transient var cache: String
                               ┬────────────
                               ╰─ 🛑 the @Transient property 'cache' needs a default value: values read from the database get it
                var inferred = 5
                    ┬───────────
                    ╰─ 🛑 'inferred' needs an explicit type, such as 'var inferred: String', so @Model knows its column type
                let fixed: Int = 3
                    ┬─────────────
                    ╰─ 🛑 'fixed' is a 'let' with a default value, so no row can set it: make it a 'var', or mark it @Transient
                var version: Int32 = 0
                             ┬────
                             ╰─ 🛑 the version 'version' must be an Int64
            }
            """
        }
    }

    @Test func onlyStructsAndNonGenericOnes() {
        assertMacro {
            """
            @Model(table: "accounts")
            class Account {
                let id: Int64? = nil
                var version: Int64 = 0
            }

            @Model(table: "boxes")
            struct Box<T> {
                let id: Int64?
                var version: Int64 = 0
            }
            """
        } diagnostics: {
            """
            @Model(table: "accounts")
            ┬────────────────────────
            ╰─ 🛑 @Model applies to a struct: a model is a value, copied and compared, never shared
            class Account {
                let id: Int64? = nil
                var version: Int64 = 0
            }

            @Model(table: "boxes")
            struct Box<T> {
                      ┬──
                      ╰─ 🛑 @Model cannot be applied to a generic struct: its schema is one static value
                let id: Int64?
                var version: Int64 = 0
            }
            """
        }
    }

    @Test func aMarkOutsideAModelIsAnError() {
        assertMacro {
            """
            struct Plain {
                @Unversioned var views: Int64 = 0
            }
            """
        } diagnostics: {
            """
            struct Plain {
                @Unversioned var views: Int64 = 0
                ┬───────────
                ╰─ 🛑 @Unversioned only has an effect on a stored property of a @Model struct
            }
            """
        }
    }

    @Test func constraintMarksAndStaticIndexesReachTheSchema() {
        assertMacro {
            """
            @Model(table: "lines")
            struct Line {
                static let indexes = [TableIndex<Line>(\\.orderID, \\.position, unique: true)]
                let id: Int64?
                @References(Order.self, onDelete: .cascade) @Indexed var orderID: Int64
                var position: Int64
                @Unique @ColumnName("sku_code") var sku: String
                @ColumnDefault("none") var note: String
                var version: Int64 = 0
            }
            """
        } expansion: {
            #"""
            struct Line {
                static let indexes = [TableIndex<Line>(\.orderID, \.position, unique: true)]
                let id: Int64?
                var orderID: Int64
                var position: Int64
                var sku: String
                var note: String
                var version: Int64 = 0
            }

            extension Line: VersionedORM.Model {
                typealias Key = Int64

                static let schema = VersionedORM.Schema<Line>(
                    table: "lines",
                    primaryKey: \.id, primaryKeyColumn: "id",
                    version: \.version, versionColumn: "version",
                    indexes: Line.indexes
                ) {
                    VersionedORM.Column("orderID", \Line.orderID, indexed: true, references: VersionedORM.ForeignKey(Order.self, onDelete: .cascade), read: {
                            $0.orderID
                        })
                    VersionedORM.Column("position", \Line.position, read: {
                            $0.position
                        })
                    VersionedORM.Column("sku_code", \Line.sku, unique: true, read: {
                            $0.sku
                        })
                    VersionedORM.Column("note", \Line.note, default: "none", read: {
                            $0.note
                        })
                }

                init(row: inout VersionedORM.Row) throws {
                    self.id = try row.next()
                    self.orderID = try row.next()
                    self.position = try row.next()
                    self.sku = try row.next()
                    self.note = try row.next()
                    self.version = try row.next()
                }

                struct ColumnPaths: VersionedORM.ModelColumnPaths {
                    init() {
                    }
                    var id: KeyPath<Line, Int64?> {
                        \.id
                    }
                    var orderID: KeyPath<Line, Int64> {
                        \.orderID
                    }
                    var position: KeyPath<Line, Int64> {
                        \.position
                    }
                    var sku: KeyPath<Line, String> {
                        \.sku
                    }
                    var note: KeyPath<Line, String> {
                        \.note
                    }
                    var version: KeyPath<Line, Int64> {
                        \.version
                    }
                }

                /// A value not yet inserted: the database assigns the key, and the version is 0 until then.
                init(orderID: Int64, position: Int64, sku: String, note: String) {
                    self.id = nil
                    self.orderID = orderID
                    self.position = position
                    self.sku = sku
                    self.note = note
                    self.version = 0
                }
            }
            """#
        }
    }

    @Test func aKeyOrVersionCannotCarryAConstraintMark() {
        assertMacro {
            """
            @Model
            struct Tagged {
                @Unique let id: Int64?
                @ColumnDefault(0) var version: Int64 = 0
            }
            """
        } diagnostics: {
            """
            @Model
            struct Tagged {
                @Unique let id: Int64?
                            ┬─────────
                            ╰─ 🛑 'id' is the primary key: @Unique, @Indexed, @ColumnDefault and @References apply to data columns only
                @ColumnDefault(0) var version: Int64 = 0
                                      ┬─────────────────
                                      ╰─ 🛑 'version' is the version: @Unique, @Indexed, @ColumnDefault and @References apply to data columns only
            }
            """
        }
    }
}
