import PostgresNIO

/// `[String?]` bound as one PostgreSQL `text[]` with NULL elements. PostgresNIO's own `Array` conformance needs
/// elements that are `PostgresArrayEncodable`, which `Optional` is not, so the nullable note column of an
/// unnest batch insert needs this small encoder, written against PostgresNIO's public encoding protocol.
struct NullableTextArray: PostgresNonThrowingEncodable, Sendable {
    var elements: [String?]

    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoderType: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoderType>
    ) {
        // The binary layout array_recv reads, as PostgresNIO writes it for its own arrays: dimension count,
        // has-null flag, element type; per dimension its length and lower bound; then each element with its byte
        // length in front, -1 standing for NULL.
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains(nil) ? 1 : 0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.text.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            if let element {
                buffer.writeInteger(Int32(element.utf8.count))
                buffer.writeString(element)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}
