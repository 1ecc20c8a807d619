import Hummingbird

/// An account as the API shows it. The version is in the body too, for clients that keep it in a form field
/// rather than in `ETag`.
struct AccountRepresentation: ResponseEncodable, Codable, Equatable {
    let id: Int64
    let owner: String
    let balance: Int64
    let note: String?
    let version: Int64

    init(_ account: Account, id: Int64) {
        self.id = id
        self.owner = account.owner
        self.balance = account.balance
        self.note = account.note
        self.version = account.version
    }
}

/// Both sides of a transfer after it committed.
struct TransferRepresentation: ResponseEncodable, Codable {
    let from: AccountRepresentation
    let to: AccountRepresentation
    /// How many times the server ran the transfer before it committed.
    let attempts: Int
}
