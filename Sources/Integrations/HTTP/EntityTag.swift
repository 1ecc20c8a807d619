/// An HTTP entity tag (RFC 9110 §8.8.3): an opaque string in double quotes, strong or weak (`W/"…"`).
///
/// The tags this module forms name a row's version: `"7"` for version 7. They are strong, because every write
/// of a versioned column gives the row a new version, and because `If-Match` compares strongly: a weak tag
/// never satisfies it (§13.1.1). A representation that shows columns outside the version (`Column` with
/// `versioned: false`) changes without a new version; leave such columns out of it, or send it with a weak
/// tag for caching only.
public struct EntityTag: Sendable, Hashable, CustomStringConvertible {
    /// The characters between the quotes.
    public let opaqueTag: String
    /// Whether the tag is weak: equal for equivalent representations rather than identical bytes.
    public let isWeak: Bool

    /// A tag from its opaque part; nil when the part holds a character a tag cannot (a double quote, a
    /// control character, a space).
    public init?(opaqueTag: String, isWeak: Bool = false) {
        guard opaqueTag.utf8.allSatisfy(EntityTag.isTagCharacter) else { return nil }
        self.opaqueTag = opaqueTag
        self.isWeak = isWeak
    }

    /// The strong tag of a row's version: `"7"`.
    public init(version: Int64) {
        self.opaqueTag = String(version)
        self.isWeak = false
    }

    /// The version this tag names when it is a strong tag this module formed; nil otherwise (a weak tag, or
    /// another server's tag), since such a tag can never match a current version.
    public var version: Int64? {
        guard !isWeak, let version = Int64(opaqueTag), version > 0, String(version) == opaqueTag else { return nil }
        return version
    }

    /// RFC 9110's strong comparison: both strong and the opaque parts identical.
    public func matchesStrongly(_ other: EntityTag) -> Bool {
        !isWeak && !other.isWeak && opaqueTag == other.opaqueTag
    }

    /// The field value: `"7"` or `W/"7"`.
    public var description: String {
        (isWeak ? "W/" : "") + "\"" + opaqueTag + "\""
    }

    /// `etagc = %x21 / %x23-7E / obs-text`: any visible character but the double quote, and bytes from 0x80.
    static func isTagCharacter(_ byte: UInt8) -> Bool {
        byte == 0x21 || (0x23...0x7E).contains(byte) || byte >= 0x80
    }
}
