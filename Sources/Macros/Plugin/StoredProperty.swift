import SwiftSyntax

/// One stored property of a `@Model` struct as the macro sees it: its name, type and marks.
struct StoredProperty {
    let name: String
    let type: TypeSyntax
    let isLet: Bool
    let initializer: ExprSyntax?
    let marks: Set<String>
    /// The column named by `@ColumnName`, `@PrimaryKey("…")` or `@Version("…")`.
    let columnName: String?
    /// The argument list of each mark that has one, as written (`@References(Account.self, onDelete: .cascade)`),
    /// for the generated schema to pass on.
    let markArguments: [String: String]
    let binding: PatternBindingSyntax
    let declaration: VariableDeclSyntax

    /// The name without backticks: what the column is called by default.
    var plainName: String { name.filter { $0 != "`" } }

    /// The type without its outer optional, and whether there was one.
    var unwrapped: (type: TypeSyntax, isOptional: Bool) {
        if let optional = type.as(OptionalTypeSyntax.self) { return (optional.wrappedType, true) }
        if let identifier = type.as(IdentifierTypeSyntax.self), identifier.name.text == "Optional",
           let argument = identifier.genericArgumentClause?.arguments.first {
            #if canImport(SwiftSyntax601)
            if case .type(let wrapped) = argument.argument { return (wrapped, true) }
            #else
            return (TypeSyntax(argument.argument), true)
            #endif
        }
        return (type, false)
    }

    static let markNames: Set<String> = [
        "PrimaryKey", "Version", "ColumnName", "Unversioned", "Transient", "Unique", "Indexed", "ColumnDefault",
        "References",
    ]
    /// The marks that declare a constraint of the column's table, which a key, a version or a transient
    /// property cannot carry.
    static let constraintMarks: Set<String> = ["Unique", "Indexed", "ColumnDefault", "References"]

    /// The stored instance properties of a struct's members, in declaration order. Computed, static and
    /// macro-generated properties are not columns.
    static func all(in members: MemberBlockItemListSyntax) -> [StoredProperty] {
        var properties: [StoredProperty] = []
        for member in members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            let modifiers = Set(variable.modifiers.map(\.name.text))
            if modifiers.contains("static") || modifiers.contains("class") { continue }
            var marks: Set<String> = []
            var columnName: String?
            var markArguments: [String: String] = [:]
            for element in variable.attributes {
                guard case .attribute(let attribute) = element else { continue }
                let name = attribute.attributeName.trimmedDescription.split(separator: ".").last.map(String.init) ?? ""
                guard markNames.contains(name) else { continue }
                marks.insert(name)
                if case .argumentList(let arguments) = attribute.arguments {
                    markArguments[name] = arguments.trimmedDescription
                }
                if ["PrimaryKey", "Version", "ColumnName"].contains(name), let literal = attribute.firstStringArgument {
                    columnName = literal
                }
            }
            let isLet = variable.bindingSpecifier.tokenKind == .keyword(.let)
            for binding in variable.bindings {
                if let accessors = binding.accessorBlock, isComputed(accessors) { continue }
                guard let identifier = binding.pattern.as(IdentifierPatternSyntax.self) else { continue }
                // `var a, b: Int` gives the type to the last binding only.
                let type = binding.typeAnnotation?.type
                    ?? variable.bindings.lazy.compactMap(\.typeAnnotation).first?.type
                properties.append(StoredProperty(
                    name: identifier.identifier.text, type: type ?? TypeSyntax(MissingTypeSyntax()), isLet: isLet,
                    initializer: binding.initializer?.value, marks: marks, columnName: columnName,
                    markArguments: markArguments, binding: binding,
                    declaration: variable))
            }
        }
        return properties
    }

    private static func isComputed(_ block: AccessorBlockSyntax) -> Bool {
        switch block.accessors {
        case .getter:
            return true
        case .accessors(let list):
            return list.contains { !["willSet", "didSet"].contains($0.accessorSpecifier.text) }
        }
    }
}

extension AttributeSyntax {
    /// The attribute's first argument when it is a plain string literal.
    var firstStringArgument: String? {
        guard case .argumentList(let arguments) = self.arguments, let first = arguments.first else { return nil }
        return first.expression.as(StringLiteralExprSyntax.self)?.representedLiteralValue
    }
}
