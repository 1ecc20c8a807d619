import Synchronization

/// The rendered text of a model's persistence statements, per dialect and statement shape.
///
/// Saves, finds and inserts send the same few statements over and over; building their SQL from segments and
/// rendering it each time cost more than the database call (measured by the overhead benchmark). On a hit only
/// the bound values are assembled.
@usableFromInline
final class StatementTextCache: Sendable {
    enum Shape: Hashable, Sendable {
        case findByKey
        case insert(withKey: Bool)
        case update(columns: [Int])
        /// A versioned update whose new version is bound rather than `version + 1`: the row's next version skips
        /// the versions a rolled-back savepoint burned.
        case updateSettingVersion(columns: [Int])
        /// `.naive`: the changed columns, no version check.
        case unversionedUpdate(columns: [Int])
        case delete
        case currentVersion
    }

    private struct Key: Hashable {
        let dialect: String
        let shape: Shape
    }

    private let texts = Mutex<[Key: String]>([:])

    init() {}

    func text(dialect: any SQLDialect, shape: Shape, build: () throws -> SQL) throws -> String {
        let key = Key(dialect: dialect.name, shape: shape)
        if let cached = texts.withLock({ $0[key] }) { return cached }
        let rendered = try dialect.render(build()).text
        texts.withLock { $0[key] = rendered }
        return rendered
    }
}
