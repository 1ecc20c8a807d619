import Synchronization

/// One of a model's persistence statements as a value: the shape of the SQL, and nothing else.
///
/// The shape is the only input of the statement's text and of the order of its bound values, and it is the key
/// of the text cache, so the three cannot disagree: the text is built once per dialect type, schema and shape,
/// with every value a ``Slot`` marker, and the markers found in the rendered binds are the bind order. On a hit
/// only the values are assembled, slot by slot (GRDB's `UpdateQuery` idea, taken one step further).
@usableFromInline
struct PersistenceStatement: Hashable, Sendable {
    @usableFromInline
    enum Shape: Hashable, Sendable {
        /// `INSERT … VALUES (…), … RETURNING key` of `rows` rows, with or without their keys; without the
        /// RETURNING clause when `returningKey` is false (the key is then read as the inserted rowid).
        case insert(rows: Int, withKey: Bool, returningKey: Bool = true)
        /// `UPDATE … SET columns[, version] … WHERE key = ?` and, when `checksVersion`, `AND version = ?`.
        case update(columns: [Int], checksVersion: Bool, newVersion: NewVersion)
        /// `DELETE … WHERE key = ? AND version = ?`.
        case delete
        /// `SELECT version … WHERE key = ?`: why a versioned write changed nothing.
        case currentVersion
        /// `SELECT every column … WHERE key = ? LIMIT 1`, locking the row when `locking` is set.
        case findByKey(locking: RowLockWait?)
    }

    /// What an UPDATE does to the version column.
    @usableFromInline
    enum NewVersion: Hashable, Sendable {
        /// `version + 1`: the value's version was checked below Int64.max before sending.
        case increment
        /// `CASE WHEN version < Int64.max THEN version + 1 END`, for a write that does not check the version.
        case checkedIncrement
        /// A bound value: a row whose next version skips versions a rolled-back savepoint burned.
        case bound
        /// Left alone: every written column is outside the version.
        case unchanged
    }

    /// Where one bound value comes from.
    @usableFromInline
    enum Slot: Hashable, Sendable {
        /// The value's data column at this schema index; in a multi-row insert, of the value at `row`.
        case column(Int, row: Int = 0)
        /// The key; in a multi-row insert, of the value at `row`.
        case key(row: Int = 0)
        case expectedVersion
        case newVersion
        /// Int64.max, the limit a checked version bump compares with.
        case versionLimit
        /// A value the shape fixes (a LIMIT of 1).
        case constant(DatabaseValue)

        /// Markers for rendering: values no statement binds for real, so the rendered binds read back as slots.
        /// Each row of a multi-row insert has a band of `Self.band` codes: its key, then its columns.
        fileprivate var marker: DatabaseValue {
            switch self {
            case .column(let index, let row): .integer(Int64.min + 16 + Int64(row) * Self.band + 1 + Int64(index))
            case .key(let row): .integer(Int64.min + 16 + Int64(row) * Self.band)
            case .expectedVersion: .integer(Int64.min + 1)
            case .newVersion: .integer(Int64.min + 2)
            case .versionLimit: .integer(Int64.min + 3)
            case .constant(let value): value
            }
        }

        fileprivate init(marker: DatabaseValue) {
            guard case .integer(let code) = marker, code < Int64.min + 16 + Self.band * Int64(PersistenceStatement.maxInsertRows)
            else {
                self = .constant(marker)
                return
            }
            switch code - Int64.min {
            case 1: self = .expectedVersion
            case 2: self = .newVersion
            case 3: self = .versionLimit
            case let offset where offset >= 16:
                let (row, position) = (offset - 16).quotientAndRemainder(dividingBy: Self.band)
                self = position == 0 ? .key(row: Int(row)) : .column(Int(position - 1), row: Int(row))
            default: self = .constant(marker)
            }
        }

        /// Codes per row: the key and up to 4095 columns.
        private static let band: Int64 = 4096
    }

    /// A statement's text and where its values come from, in placeholder order.
    /// A class, so a cache hit hands out one reference rather than copies of three buffers.
    @usableFromInline
    final class Prepared: Sendable {
        @usableFromInline let text: String
        @usableFromInline let slots: [Slot]
        /// For each data column, by schema index, the position of its value among the binds (-1: not bound).
        let columnPositions: [Int]

        init(text: String, slots: [Slot]) {
            self.text = text
            self.slots = slots
            var positions: [Int] = []
            for (position, slot) in slots.enumerated() {
                guard case .column(let index, row: 0) = slot else { continue }
                if positions.count <= index { positions += Array(repeating: -1, count: index + 1 - positions.count) }
                positions[index] = position
            }
            columnPositions = positions
        }
    }

    @usableFromInline let shape: Shape

    /// The values of a batch insert, read once: each value's key (NULL for a generated one) and, flat, its
    /// columns in schema order (value i's at i × columnCount), so a batch costs no array per row.
    struct InsertRows {
        let keys: [DatabaseValue]
        let columns: [DatabaseValue]
        let columnCount: Int
    }

    /// The most rows one INSERT carries; fewer when the dialect's bound-parameter limit says so.
    static let maxInsertRows = 1000

    @usableFromInline
    init(_ shape: Shape) {
        self.shape = shape
    }

    /// The SQL of the shape for `schema`, every value a slot marker.
    private func sql<M: Model>(for schema: Schema<M>) -> SQL {
        func bind(_ slot: Slot) -> SQL { SQL(segments: [.value(slot.marker)]) }
        let table = schema.table
        let key = schema.primaryKeyColumn
        let version = schema.versionColumn
        switch shape {
        case .insert(let rows, let withKey, let returningKey):
            var names: [SQL] = []
            if withKey { names.append("\(identifier: key)") }
            for column in schema.columns { names.append("\(identifier: column.name)") }
            names.append("\(identifier: version)")
            let tuples = (0..<rows).map { row -> SQL in
                var values: [SQL] = []
                if withKey { values.append(bind(.key(row: row))) }
                for index in schema.columns.indices { values.append(bind(.column(index, row: row))) }
                values.append("1")
                return "(\(SQL.joined(values, separator: ", ")))"
            }
            var insert: SQL = """
                INSERT INTO \(identifier: table) (\(SQL.joined(names, separator: ", "))) \
                VALUES \(SQL.joined(tuples, separator: ", "))
                """
            if returningKey { insert.append(" RETURNING \(identifier: key)") }
            return insert
        case .update(let columns, let checksVersion, let newVersion):
            var setList = columns.map { "\(identifier: schema.columns[$0].name) = \(bind(.column($0)))" as SQL }
            switch newVersion {
            case .bound: setList.append("\(identifier: version) = \(bind(.newVersion))")
            case .increment: setList.append("\(identifier: version) = \(identifier: version) + 1")
            case .checkedIncrement: setList.append(schema.checkedVersionBump(limit: bind(.versionLimit)))
            case .unchanged: break
            }
            var sql: SQL = """
                UPDATE \(identifier: table) SET \(SQL.joined(setList, separator: ", ")) \
                WHERE \(identifier: key) = \(bind(.key()))
                """
            if checksVersion { sql.append(" AND \(identifier: version) = \(bind(.expectedVersion))") }
            return sql
        case .delete:
            return """
                DELETE FROM \(identifier: table) \
                WHERE \(identifier: key) = \(bind(.key())) AND \(identifier: version) = \(bind(.expectedVersion))
                """
        case .currentVersion:
            return "SELECT \(identifier: version) FROM \(identifier: table) WHERE \(identifier: key) = \(bind(.key()))"
        case .findByKey(let locking):
            let keyFilter = SQLExpression<Bool>("(\(identifier: key) = \(bind(.key())))")
            let query = Query<M>().where { _ in keyFilter }.limit(1)
            if let locking { return query.forUpdate(locking).query.selectSQL(columns: Query<M>.selectList, schema: schema) }
            return query.selectSQL(columns: Query<M>.selectList, schema: schema)
        }
    }

    /// The text and slots for `schema` in `dialect`, rendered on first use. `cached: false` renders without
    /// keeping the result, for shapes used once (the short last chunk of a batch insert), so the cache stays as
    /// small as the set of shapes in steady use.
    @usableFromInline
    func prepared<M: Model>(for schema: Schema<M>, dialect: any SQLDialect, cached: Bool = true) throws -> Prepared {
        let cacheKey = Self.CacheKey(dialect: ObjectIdentifier(type(of: dialect)), schema: ObjectIdentifier(schema),
                                     statement: self)
        if cached, let hit = Self.cache.withLock({ $0[cacheKey] }) { return hit }
        let rendered = try dialect.render(sql(for: schema))
        let prepared = Prepared(text: rendered.text, slots: rendered.binds.map(Slot.init(marker:)))
        if cached { Self.cache.withLock { $0[cacheKey] = prepared } }
        return prepared
    }

    private struct CacheKey: Hashable {
        let dialect: ObjectIdentifier
        let schema: ObjectIdentifier
        let statement: PersistenceStatement
    }

    /// Schemas are static and dialects few, so the cache stays as small as the set of shapes in use.
    private static let cache = Mutex<[CacheKey: Prepared]>([:])
}

extension PersistenceStatement.Prepared {
    /// The statement with its values, slot by slot: the column values from `value`, the rest as given.
    func statement<M: Model>(for value: M, schema: Schema<M>, key: DatabaseValue, expectedVersion: Int64 = 0,
                             newVersion: Int64 = 0) -> RenderedSQL {
        var binds: [DatabaseValue] = []
        binds.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .column(let index, _): binds.append(schema.value(ofColumn: index, in: value))
            case .key: binds.append(key)
            case .expectedVersion: binds.append(.integer(expectedVersion))
            case .newVersion: binds.append(.integer(newVersion))
            case .versionLimit: binds.append(.integer(Int64.max))
            case .constant(let constant): binds.append(constant)
            }
        }
        return RenderedSQL(text: text, binds: binds)
    }

    /// A multi-row insert's statement: its row r's key and columns from the values at `chunk[r]` of `rows`.
    func statement(rows: PersistenceStatement.InsertRows, _ chunk: ArraySlice<Int>,
                   caching: RenderedSQL.Caching) -> RenderedSQL {
        var binds: [DatabaseValue] = []
        binds.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .column(let index, let row): binds.append(rows.columns[chunk[chunk.startIndex + row] * rows.columnCount + index])
            case .key(let row): binds.append(rows.keys[chunk[chunk.startIndex + row]])
            case .constant(let constant): binds.append(constant)
            // Unreachable: an insert binds no version.
            case .expectedVersion, .newVersion, .versionLimit: binds.append(.null)
            }
        }
        return RenderedSQL(text: text, binds: binds, caching: caching)
    }

    /// The statement for a shape that binds no column values (find, current version, delete).
    @inlinable
    func statement(key: DatabaseValue, expectedVersion: Int64 = 0) -> RenderedSQL {
        var binds: [DatabaseValue] = []
        binds.reserveCapacity(slots.count)
        for slot in slots {
            switch slot {
            case .key: binds.append(key)
            case .expectedVersion: binds.append(.integer(expectedVersion))
            case .versionLimit: binds.append(.integer(Int64.max))
            case .constant(let constant): binds.append(constant)
            // Unreachable: the shapes this serves (find, current version, delete) bind no column or new version.
            case .column, .newVersion: binds.append(.null)
            }
        }
        return RenderedSQL(text: text, binds: binds)
    }
}
