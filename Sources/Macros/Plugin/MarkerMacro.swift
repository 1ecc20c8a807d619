import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// `@PrimaryKey`, `@Version`, `@ColumnName`, `@Unversioned`, `@Transient`, `@Unique`, `@Indexed`,
/// `@ColumnDefault` and `@References` generate nothing: `@Model` reads them. Used anywhere else they would do
/// nothing silently, so there they are errors.
public struct MarkerMacro: PeerMacro {
    public static func expansion(
        of node: AttributeSyntax,
        providingPeersOf declaration: some DeclSyntaxProtocol,
        in context: some MacroExpansionContext
    ) throws -> [DeclSyntax] {
        let name = node.attributeName.trimmedDescription
        guard declaration.is(VariableDeclSyntax.self) else {
            context.diagnose(Diagnostic(node: node, message: ModelDiagnostic.markerOutsideModel(name)))
            return []
        }
        let inModel = context.lexicalContext.contains { scope in
            guard let structDecl = scope.as(StructDeclSyntax.self) else { return false }
            return structDecl.attributes.contains { element in
                guard case .attribute(let attribute) = element else { return false }
                return ModelMacro.isModelAttribute(attribute)
            }
        }
        if !inModel {
            context.diagnose(Diagnostic(node: node, message: ModelDiagnostic.markerOutsideModel(name)))
        }
        return []
    }
}
