import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// A `@Model` struct's key, version and columns, checked: every problem is diagnosed, and the shape is built
/// only when there is none.
struct ModelShape {
    let key: StoredProperty
    let version: StoredProperty
    let columns: [StoredProperty]
    /// Whether the struct declares `static let indexes`, which the schema then takes as its ``TableIndex`` list.
    let declaresIndexes: Bool

    init?(structDecl: StructDeclSyntax, in context: some MacroExpansionContext) {
        let properties = StoredProperty.all(in: structDecl.memberBlock.members)
        var valid = true
        func fail(_ node: some SyntaxProtocol, _ message: ModelDiagnostic, fixIts: [FixIt] = []) {
            context.diagnose(Diagnostic(node: node, message: message, fixIts: fixIts))
            valid = false
        }

        for property in properties where property.type.is(MissingTypeSyntax.self) && !property.marks.contains("Transient") {
            fail(property.binding, .missingType(property.plainName))
        }
        for property in properties where property.declaration.modifiers.contains(where: { $0.name.text == "lazy" }) {
            fail(property.binding, .lazyProperty(property.plainName))
        }
        let stored = properties.filter { !$0.marks.contains("Transient") }
        for property in properties where property.marks.contains("Transient") {
            if property.initializer == nil { fail(property.binding, .transientWithoutDefault(property.plainName)) }
            if property.marks.count > 1 { fail(property.binding, .conflictingMarks(property.plainName)) }
        }

        let key = Self.pick(stored, marked: "PrimaryKey", named: "id") { fail($0, $1) }
        let version = Self.pick(stored, marked: "Version", named: "version") { fail($0, $1) }
        // One fix-it when both are missing: two edits of the same member list would conflict.
        switch (key, version) {
        case (nil, nil):
            fail(structDecl.name, .noPrimaryKey, fixIts: [Self.insertMembers(
                ["let id: Int64?", "var version: Int64 = 0"], into: structDecl,
                message: "add 'let id: Int64?' and 'var version: Int64 = 0'")])
            fail(structDecl.name, .noVersion)
        case (nil, _):
            fail(structDecl.name, .noPrimaryKey, fixIts: [Self.insertMembers(["let id: Int64?"], into: structDecl,
                                                                            message: "add 'let id: Int64?'")])
        case (_, nil):
            fail(structDecl.name, .noVersion, fixIts: [Self.insertMembers(["var version: Int64 = 0"], into: structDecl,
                                                                         message: "add 'var version: Int64 = 0'")])
        default:
            break
        }
        if let key {
            if !key.isLet {
                fail(key.declaration.bindingSpecifier, .keyIsVar(key.plainName),
                     fixIts: [Self.replaceSpecifier(of: key.declaration, with: .let)])
            }
            if key.marks.contains("Unversioned") || key.marks.contains("Version") {
                fail(key.binding, .conflictingMarks(key.plainName))
            }
            if !key.marks.isDisjoint(with: StoredProperty.constraintMarks) {
                fail(key.binding, .constraintOnKeyOrVersion(property: key.plainName, role: "primary key"))
            }
        }
        if let version {
            if version.isLet {
                fail(version.declaration.bindingSpecifier, .versionIsLet(version.plainName),
                     fixIts: [Self.replaceSpecifier(of: version.declaration, with: .var)])
            }
            if version.type.trimmedDescription != "Int64" { fail(version.type, .versionNotInt64(version.plainName)) }
            if version.marks.contains("Unversioned") { fail(version.binding, .conflictingMarks(version.plainName)) }
            if !version.marks.isDisjoint(with: StoredProperty.constraintMarks) {
                fail(version.binding, .constraintOnKeyOrVersion(property: version.plainName, role: "version"))
            }
        }
        let columns = stored.filter { $0.name != key?.name && $0.name != version?.name }
        for column in stored {
            if column.isLet, column.initializer != nil { fail(column.binding, .letWithDefault(column.plainName)) }
            if let unsupported = Self.unsupportedType(column.type) {
                fail(column.type, .unsupportedType(property: column.plainName, type: unsupported))
            }
        }
        for column in columns where column.marks.contains("PrimaryKey") || column.marks.contains("Version") {
            fail(column.binding, .conflictingMarks(column.plainName))
        }
        guard valid, let key, let version else { return nil }
        self.key = key
        self.version = version
        self.columns = columns
        declaresIndexes = structDecl.memberBlock.members.contains { member in
            guard let variable = member.decl.as(VariableDeclSyntax.self),
                  variable.modifiers.contains(where: { $0.name.text == "static" }) else { return false }
            return variable.bindings.contains { $0.pattern.as(IdentifierPatternSyntax.self)?.identifier.text == "indexes" }
        }
    }

    /// The property marked `@mark`, else the one called `name`; two marked is an error.
    private static func pick(_ properties: [StoredProperty], marked mark: String, named name: String,
                             fail: (Syntax, ModelDiagnostic) -> Void) -> StoredProperty? {
        let marked = properties.filter { $0.marks.contains(mark) }
        for extra in marked.dropFirst() { fail(Syntax(extra.binding), .twoMarked(mark)) }
        return marked.first ?? properties.first { $0.plainName == name }
    }

    /// The spelling of a type no column can hold, or nil. Named types are left to the compiler, which checks
    /// their `DatabaseValueConvertible` conformance in the generated schema.
    private static func unsupportedType(_ type: TypeSyntax) -> String? {
        var inner = type
        if let optional = type.as(OptionalTypeSyntax.self) {
            inner = optional.wrappedType
            if inner.is(OptionalTypeSyntax.self) { return type.trimmedDescription }
        }
        if inner.is(ArrayTypeSyntax.self) || inner.is(DictionaryTypeSyntax.self) || inner.is(TupleTypeSyntax.self)
            || inner.is(FunctionTypeSyntax.self) || inner.is(SomeOrAnyTypeSyntax.self)
            || inner.is(MetatypeTypeSyntax.self) || inner.is(ImplicitlyUnwrappedOptionalTypeSyntax.self) {
            return type.trimmedDescription
        }
        return nil
    }

    private static func replaceSpecifier(of declaration: VariableDeclSyntax, with keyword: Keyword) -> FixIt {
        let old = declaration.bindingSpecifier
        let new = old.with(\.tokenKind, .keyword(keyword))
        return FixIt(message: ModelFixIt(message: "replace '\(old.text)' with '\(keyword)'"),
                     changes: [.replace(oldNode: Syntax(old), newNode: Syntax(new))])
    }

    private static func insertMembers(_ members: [String], into structDecl: StructDeclSyntax, message: String) -> FixIt {
        let block = structDecl.memberBlock
        let items = members.map {
            MemberBlockItemSyntax(decl: DeclSyntax(stringLiteral: $0)).with(\.leadingTrivia, .newline + .spaces(4))
        }
        let newMembers = MemberBlockItemListSyntax(items + Array(block.members))
        return FixIt(message: ModelFixIt(message: message),
                     changes: [.replace(oldNode: Syntax(block.members), newNode: Syntax(newMembers))])
    }
}
