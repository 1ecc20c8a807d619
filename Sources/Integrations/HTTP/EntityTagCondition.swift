/// The value of an `If-Match` or `If-None-Match` field (RFC 9110 §13.1.1, §13.1.2): `*`, or a list of entity
/// tags.
public enum EntityTagCondition: Sendable, Hashable {
    /// `*`: any current representation.
    case any
    /// The listed tags, in the order sent.
    case tags([EntityTag])

    /// Parses a field value, the field lines of a repeated field joined by commas. Empty list elements are
    /// accepted, as the RFC's list syntax asks (§5.6.1.2); `*` must stand alone.
    public init(parsing value: String) throws(HTTPErrorResponse) {
        var parser = Parser(bytes: Array(value.utf8))
        parser.skipSeparators()
        if parser.atEnd { throw .malformedCondition }
        if parser.peek == UInt8(ascii: "*") {
            parser.index += 1
            parser.skipSeparators()
            guard parser.atEnd else { throw .malformedCondition }
            self = .any
            return
        }
        var tags: [EntityTag] = []
        while !parser.atEnd {
            guard let tag = parser.entityTag() else { throw .malformedCondition }
            tags.append(tag)
            parser.skipWhitespace()
            guard parser.atEnd || parser.peek == UInt8(ascii: ",") else { throw .malformedCondition }
            parser.skipSeparators()
        }
        self = .tags(tags)
    }

    /// Whether a representation with this tag satisfies the condition under `If-Match`'s strong comparison.
    public func matchesStrongly(_ current: EntityTag) -> Bool {
        switch self {
        case .any: true
        case .tags(let tags): tags.contains { $0.matchesStrongly(current) }
        }
    }

    /// Whether a representation with this tag satisfies the condition under `If-None-Match`'s weak
    /// comparison: the opaque parts equal, weak or not.
    public func matchesWeakly(_ current: EntityTag) -> Bool {
        switch self {
        case .any: true
        case .tags(let tags): tags.contains { $0.opaqueTag == current.opaqueTag }
        }
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func skipWhitespace() {
            while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { index += 1 }
        }

        mutating func skipSeparators() {
            while let byte = peek, byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: ",") {
                index += 1
            }
        }

        /// `[ "W/" ] DQUOTE *etagc DQUOTE`; the weak prefix is case-sensitive.
        mutating func entityTag() -> EntityTag? {
            var isWeak = false
            if peek == UInt8(ascii: "W"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                isWeak = true
                index += 2
            }
            guard peek == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            while let byte = peek, EntityTag.isTagCharacter(byte) { index += 1 }
            guard peek == UInt8(ascii: "\"") else { return nil }
            let opaque = String(decoding: bytes[start..<index], as: UTF8.self)
            index += 1
            return EntityTag(opaqueTag: opaque, isWeak: isWeak)
        }
    }
}
