import VersionedORMMacros

/// A bank account, the resource of the web example. Its version is the `ETag`.
@Model(table: "accounts")
public struct Account: Sendable {
    public let id: Int64?
    public var owner: String
    public var balance: Int64
    public var note: String?
    public var version: Int64 = 0
}
