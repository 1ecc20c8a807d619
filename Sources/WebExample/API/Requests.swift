/// `POST /accounts`.
struct NewAccount: Decodable, Sendable {
    let owner: String
    let balance: Int64
    let note: String?
}

/// `PATCH /accounts/:id`: the fields to change; absent ones stay. `"note": null` clears the note.
struct AccountPatch: Decodable, Sendable {
    let owner: String?
    let note: Patched<String>

    private enum CodingKeys: String, CodingKey { case owner, note }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        owner = try container.decodeIfPresent(String.self, forKey: .owner)
        note = container.contains(.note)
            ? .set(try container.decodeNil(forKey: .note) ? nil : container.decode(String.self, forKey: .note))
            : .unchanged
    }
}

/// A field a PATCH may leave out, set, or set to null.
enum Patched<Value: Sendable>: Sendable {
    case unchanged
    case set(Value?)
}

/// `PUT /accounts/:id`: every field a client may write (the balance changes through transfers only).
struct AccountReplacement: Decodable, Sendable {
    let owner: String
    let note: String?
}

/// `POST /transfers`.
struct TransferRequest: Decodable, Sendable {
    let from: Int64
    let to: Int64
    let amount: Int64
}
