import CLibPQ
import Foundation
import VersionedORM

/// A statement's parameters laid out for PQexecPrepared: one contiguous buffer, with a type, length and format
/// per parameter.
///
/// Values go as text, except blobs, which go as binary so bytes are never hex-encoded. Each non-NULL value
/// carries its type OID, so `$1 + $2` or `LIMIT $1` need no casts and the server never guesses a type from text.
struct PostgresParameters {
    private(set) var types: [Oid] = []
    private var buffer: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int32] = []
    private var formats: [Int32] = []

    /// The protocol counts parameters in 16 bits.
    static let maximumCount = 65_535

    init(_ values: [DatabaseValue]) throws {
        guard values.count <= Self.maximumCount else {
            throw DatabaseError(kind: .invalidStatement, code: "54000",
                                message: "PostgreSQL takes at most 65,535 parameters per statement; this one has \(values.count)")
        }
        types.reserveCapacity(values.count)
        offsets.reserveCapacity(values.count)
        lengths.reserveCapacity(values.count)
        formats.reserveCapacity(values.count)
        for value in values {
            switch value {
            case .null:
                // Unknown type: the server infers it from context, and NULL fits any type.
                append(type: 0, offset: -1, length: 0, format: 0)
            case .integer(let integer):
                appendText(String(integer), type: PostgresTypes.int8)
            case .double(let double):
                appendText(Self.text(for: double), type: PostgresTypes.float8)
            case .bool(let bool):
                appendText(bool ? "t" : "f", type: PostgresTypes.bool)
            case .text(let text):
                guard !text.utf8.contains(0) else {
                    throw DatabaseError(kind: .invalidValue, code: "22021",
                                        message: "PostgreSQL text cannot contain the NUL character (U+0000)")
                }
                appendText(text, type: PostgresTypes.text)
            case .date(let date):
                appendText(try TimestampText.format(date, utcSuffix: "+00"), type: PostgresTypes.timestamptz)
            case .uuid(let uuid):
                appendText(uuid.uuidString.lowercased(), type: PostgresTypes.uuid)
            case .blob(let data):
                let offset = buffer.count
                buffer.append(contentsOf: data)
                append(type: PostgresTypes.bytea, offset: offset, length: Int32(data.count), format: 1)
            }
        }
    }

    /// Calls `body` with the C arrays libpq wants; the pointers are valid only inside it.
    func withUnsafeArrays<R>(
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) throws -> R
    ) rethrows -> R {
        try buffer.withUnsafeBytes { bytes in
            let base = bytes.baseAddress
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                guard offset >= 0, let base else { return nil }
                // A zero-length blob still needs a non-NULL pointer, or libpq sends NULL.
                return (base + offset).assumingMemoryBound(to: CChar.self)
            }
            return try pointers.withUnsafeBufferPointer { values in
                try lengths.withUnsafeBufferPointer { lengths in
                    try formats.withUnsafeBufferPointer { formats in
                        try body(values.baseAddress, lengths.baseAddress, formats.baseAddress)
                    }
                }
            }
        }
    }

    private mutating func appendText(_ text: String, type: Oid) {
        let offset = buffer.count
        buffer.append(contentsOf: text.utf8)
        buffer.append(0)
        append(type: type, offset: offset, length: 0, format: 0)
    }

    private mutating func append(type: Oid, offset: Int, length: Int32, format: Int32) {
        types.append(type)
        offsets.append(offset)
        lengths.append(length)
        formats.append(format)
    }

    /// Swift prints `inf` and `nan`; PostgreSQL reads `Infinity` and `NaN`. Finite values print shortest
    /// round-trip, which float8 input reads back exactly.
    private static func text(for double: Double) -> String {
        if double.isNaN { return "NaN" }
        if double.isInfinite { return double < 0 ? "-Infinity" : "Infinity" }
        return "\(double)"
    }
}
