import Testing
@testable import VersionedORM

@Suite struct SQLRenderingTests {
    let dialect = BracketDialect()

    @Test func filtersOrderingAndLimitsRenderThroughTheDialect() throws {
        let query = Item.where { $0.count >= 10 && ($0.name.like("a%") || !($0.note == nil)) }
            .where { $0.id.in([1, 2]) }
            .order { [$0.count.descending, $0.name.ascending] }
            .limit(5, offset: 10)
        let rendered = try dialect.render(query.selectSQL(columns: "*"))
        #expect(rendered.text == """
            SELECT * FROM [items]
            WHERE ((([count] >= :p1) AND (([name] LIKE :p2 ESCAPE '\\') OR (NOT ([note] IS NULL)))) AND ([id] IN (:p3, :p4)))
            ORDER BY [count] DESC, [name] ASC
            LIMIT :p5 OFFSET :p6
            """)
        #expect(rendered.binds == [.integer(10), .text("a%"), .integer(1), .integer(2), .integer(5), .integer(10)])
    }

    @Test func nilComparisonsBecomeIsNullAndEmptyInMatchesNothing() throws {
        #expect(try dialect.render(Item.where { $0.note == nil }.selectSQL(columns: "1")).text.hasSuffix("WHERE ([note] IS NULL)"))
        #expect(try dialect.render(Item.where { $0.note != nil }.selectSQL(columns: "1")).text.hasSuffix("WHERE ([note] IS NOT NULL)"))
        let empty = try dialect.render(Item.where { $0.name.in([String]()) }.selectSQL(columns: "1"))
        #expect(empty.text.hasSuffix("WHERE (1 = 0)"))
        #expect(empty.binds.isEmpty)
    }

    @Test func interpolatedValuesAreAlwaysBoundAndIdentifiersQuoted() throws {
        let name = "x'); DROP TABLE items; --"
        let rendered = try dialect.render("SELECT * FROM \(identifier: "items") WHERE \(identifier: "name") = \(name) AND \(identifier: "count") > \(3)")
        #expect(rendered.text == "SELECT * FROM [items] WHERE [name] = :p1 AND [count] > :p2")
        #expect(rendered.binds == [.text(name), .integer(3)])
    }

    @Test(arguments: ["", "1abc", "a b", "a\"b", "a;b", "naïve", String(repeating: "x", count: 64)])
    func malformedIdentifiersAreRefused(name: String) {
        #expect(Identifier.problem(with: name) != nil)
        #expect(throws: SchemaError.self) { try dialect.render("SELECT 1 FROM \(identifier: name)") }
    }

    @Test(arguments: ["a", "_private", "order", "Group9", String(repeating: "x", count: 63)])
    func wellFormedIdentifiersIncludingReservedWordsAreAccepted(name: String) throws {
        #expect(Identifier.problem(with: name) == nil)
        #expect(try dialect.render("\(identifier: name)").text == "[\(name)]")
    }

    @Test func aPropertyThatIsNotAColumnIsAnErrorWhenRendered() {
        struct Loose: Model {
            let id: Int64?
            var mapped: String
            var unmapped: String
            var version: Int64
            static let schema = Schema<Loose>(table: "loose", primaryKey: \.id, version: \.version) {
                Column("mapped", \.mapped)
            }
            init(row: inout Row) throws { fatalError("not decoded in this test") }
        }
        #expect(throws: SchemaError.self) {
            try dialect.render(Loose.where { $0.unmapped == "x" }.selectSQL(columns: "1"))
        }
    }

    @Test func schemaProblemsAreCollected() {
        struct Twice: Model {
            let id: Int64?
            var a: String
            var version: Int64
            static let schema = Schema<Twice>(table: "twice", primaryKey: \.id, version: \.version) {
                Column("a", \.a)
                Column("A", \.a)
                Column("version", \.a)
            }
            init(row: inout Row) throws { fatalError("not decoded in this test") }
        }
        let problem = Twice.schema.problem ?? ""
        #expect(problem.contains("declared twice"))
        #expect(problem.contains("mapped twice"))
        #expect(throws: SchemaError.self) { try Twice.schema.validate() }
    }
}
