import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxBuilder
import SwiftSyntaxMacros

/// `@Model(table:)`: the `Model` conformance of a struct, written from its stored properties.
///
/// Generates, in one extension: `typealias Key`, `static let schema`, `init(row:)` reading the key, the
/// columns and the version in schema order (so the order cannot drift), `struct ColumnPaths` listing only the
/// mapped properties (so `$0.notAColumn` does not compile), and for a database-generated key an initializer
/// without key and version.
public struct ModelMacro: ExtensionMacro {
    static func isModelAttribute(_ attribute: AttributeSyntax) -> Bool {
        let name = attribute.attributeName.trimmedDescription
        return name == "Model" || name == "VersionedORMMacros.Model"
    }

    public static func expansion(
        of node: AttributeSyntax,
        attachedTo declaration: some DeclGroupSyntax,
        providingExtensionsOf type: some TypeSyntaxProtocol,
        conformingTo protocols: [TypeSyntax],
        in context: some MacroExpansionContext
    ) throws -> [ExtensionDeclSyntax] {
        guard let structDecl = declaration.as(StructDeclSyntax.self) else {
            context.diagnose(Diagnostic(node: node, message: ModelDiagnostic.notAStruct))
            return []
        }
        if let generics = structDecl.genericParameterClause {
            context.diagnose(Diagnostic(node: generics, message: ModelDiagnostic.generic))
            return []
        }
        let typeName = structDecl.name.text
        guard let table = tableName(from: node, typeName: typeName, in: context) else { return [] }
        guard let model = ModelShape(structDecl: structDecl, in: context) else { return [] }

        let access = accessModifier(of: structDecl)
        let conformance = protocols.isEmpty ? "" : ": VersionedORM.Model"
        var members: [String] = []
        members.append("\(access)typealias Key = \(model.key.unwrapped.type.trimmedDescription)")
        members.append(schemaDeclaration(model, table: table, typeName: typeName, access: access))
        members.append(decoderDeclaration(model, access: access))
        members.append(columnPathsDeclaration(model, typeName: typeName, access: access))
        if model.key.unwrapped.isOptional, let initializer = columnsInitializer(model, structDecl: structDecl, access: access) {
            members.append(initializer)
        }
        let source = """
            extension \(type.trimmedDescription)\(conformance) {
            \(members.joined(separator: "\n\n"))
            }
            """
        guard let extensionDecl = DeclSyntax(stringLiteral: source).as(ExtensionDeclSyntax.self) else { return [] }
        return [extensionDecl]
    }

    private static func tableName(from node: AttributeSyntax, typeName: String,
                                  in context: some MacroExpansionContext) -> String? {
        if case .argumentList(let arguments) = node.arguments,
           let argument = arguments.first(where: { $0.label?.text == "table" }) {
            if argument.expression.is(NilLiteralExprSyntax.self) { return snakeCase(typeName) }
            guard let literal = argument.expression.as(StringLiteralExprSyntax.self)?.representedLiteralValue else {
                context.diagnose(Diagnostic(node: argument.expression, message: ModelDiagnostic.tableNotALiteral))
                return nil
            }
            return literal
        }
        return snakeCase(typeName)
    }

    /// `OrderLine` → `order_line`.
    static func snakeCase(_ name: String) -> String {
        var result = ""
        for (index, character) in name.enumerated() {
            if character.isUppercase, index > 0 { result += "_" }
            result += character.lowercased()
        }
        return result
    }

    private static func accessModifier(of structDecl: StructDeclSyntax) -> String {
        for modifier in structDecl.modifiers {
            switch modifier.name.tokenKind {
            case .keyword(.public), .keyword(.open): return "public "
            case .keyword(.package): return "package "
            default: continue
            }
        }
        return ""
    }

    private static func literal(_ text: String) -> String {
        StringLiteralExprSyntax(content: text).trimmedDescription
    }

    private static func schemaDeclaration(_ model: ModelShape, table: String, typeName: String, access: String) -> String {
        let columns = model.columns.map { column -> String in
            var options = column.marks.contains("Unversioned") ? ", versioned: false" : ""
            if column.marks.contains("Unique") { options += ", unique: true" }
            if column.marks.contains("Indexed") { options += ", indexed: true" }
            if let value = column.markArguments["ColumnDefault"] { options += ", default: \(value)" }
            if let reference = column.markArguments["References"] {
                options += ", references: VersionedORM.ForeignKey(\(reference))"
            }
            return "    VersionedORM.Column(\(literal(column.columnName ?? column.plainName)), \\\(typeName).\(column.name)\(options), read: { $0.\(column.name) })"
        }
        let indexes = model.declaresIndexes ? ",\n    indexes: \(typeName).indexes" : ""
        return """
            \(access)static let schema = VersionedORM.Schema<\(typeName)>(
                table: \(literal(table)),
                primaryKey: \\.\(model.key.name), primaryKeyColumn: \(literal(model.key.columnName ?? model.key.plainName)),
                version: \\.\(model.version.name), versionColumn: \(literal(model.version.columnName ?? model.version.plainName))\(indexes)
            ) {
            \(columns.joined(separator: "\n"))
            }
            """
    }

    private static func decoderDeclaration(_ model: ModelShape, access: String) -> String {
        let reads = ([model.key] + model.columns + [model.version]).map { "    self.\($0.name) = try row.next()" }
        return """
            \(access)init(row: inout VersionedORM.Row) throws {
            \(reads.joined(separator: "\n"))
            }
            """
    }

    private static func columnPathsDeclaration(_ model: ModelShape, typeName: String, access: String) -> String {
        let paths = ([model.key] + model.columns + [model.version]).map {
            "    \(access)var \($0.name): KeyPath<\(typeName), \($0.type.trimmedDescription)> { \\.\($0.name) }"
        }
        return """
            \(access)struct ColumnPaths: VersionedORM.ModelColumnPaths {
                \(access)init() {}
            \(paths.joined(separator: "\n"))
            }
            """
    }

    /// `init(owner:balance:note:)`: every column, no key (the database assigns it) and no version. Left out
    /// when the struct already declares an initializer with those labels.
    private static func columnsInitializer(_ model: ModelShape, structDecl: StructDeclSyntax, access: String) -> String? {
        let labels = model.columns.map(\.plainName)
        let declared = structDecl.memberBlock.members.contains { (member: MemberBlockItemSyntax) -> Bool in
            guard let initializer = member.decl.as(InitializerDeclSyntax.self) else { return false }
            let names = initializer.signature.parameterClause.parameters.map { $0.firstName.text.filter { $0 != "`" } }
            return names == labels
        }
        if declared { return nil }
        let parameters = model.columns.map { column -> String in
            var parameter = "\(column.name): \(column.type.trimmedDescription)"
            if let value = column.initializer {
                parameter += " = \(value.trimmedDescription)"
            } else if column.unwrapped.isOptional {
                parameter += " = nil"
            }
            return parameter
        }
        let assignments = ["    self.\(model.key.name) = nil"]
            + model.columns.map { "    self.\($0.name) = \($0.name)" }
            + ["    self.\(model.version.name) = 0"]
        return """
            /// A value not yet inserted: the database assigns the key, and the version is 0 until then.
            \(access)init(\(parameters.joined(separator: ", "))) {
            \(assignments.joined(separator: "\n"))
            }
            """
    }
}
