import SwiftCompilerPlugin
import SwiftSyntaxMacros

@main
struct VersionedORMMacroPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [ModelMacro.self, MarkerMacro.self]
}
