/// The driver's view of the row a statement is positioned on.
///
/// Implemented by each driver over its own result handle; valid only while the driver hands it to a row
/// callback.
@usableFromInline
package protocol RowCursor: AnyObject {
    var columnCount: Int { get }
    func value(at index: Int) throws -> DatabaseValue
    /// Typed reads for the common column types: nil for NULL, the same conversion rules as
    /// ``DatabaseValueConvertible/fromDatabaseValue(_:)``. A driver implements them to skip building a
    /// ``DatabaseValue`` per cell; the defaults go through ``value(at:)``.
    func isNull(at index: Int) throws -> Bool
    func int64(at index: Int) throws -> Int64?
    func double(at index: Int) throws -> Double?
    func text(at index: Int) throws -> String?
}

extension RowCursor {
    package func isNull(at index: Int) throws -> Bool { try value(at: index).isNull }

    package func int64(at index: Int) throws -> Int64? {
        let value = try value(at: index)
        return value.isNull ? nil : try Int64.fromDatabaseValue(value)
    }

    package func double(at index: Int) throws -> Double? {
        let value = try value(at: index)
        return value.isNull ? nil : try Double.fromDatabaseValue(value)
    }

    package func text(at index: Int) throws -> String? {
        let value = try value(at: index)
        return value.isNull ? nil : try String.fromDatabaseValue(value)
    }
}
