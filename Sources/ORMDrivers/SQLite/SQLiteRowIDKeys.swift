import CSQLite3
import VersionedORM

/// Which tables' generated keys are their rowid, so a one-row insert reads its key with
/// `sqlite3_last_insert_rowid` instead of RETURNING (for which SQLite fills a temporary table).
///
/// A key is the rowid exactly when SQLite makes it an alias of the rowid: the table's only primary-key column,
/// declared `INTEGER`, in a table with rowids. `INTEGER PRIMARY KEY DESC`, `BIGINT PRIMARY KEY`, a composite key
/// and a `WITHOUT ROWID` table are not, and each of them gets an index of origin `pk`, which an alias never
/// does; the query below asks exactly that.
///
/// An answer holds for one prepared INSERT, kept by its statement handle, until SQLite recompiles it: a schema
/// change recompiles every statement it touches (SQLITE_STMTSTATUS_REPREPARE counts it), and a statement
/// prepared anew starts without an answer (its handle may reuse a finalized one's address). So the check runs
/// once per INSERT statement, not once per insert.
final class SQLiteRowIDKeys {
    private var answers: [OpaquePointer: (reprepares: Int32, isRowID: Bool)] = [:]

    static let aliasQuery = """
        SELECT (SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1 \
        AND (SELECT upper(type) FROM pragma_table_info(?1) WHERE pk > 0 AND name = ?2 COLLATE NOCASE) = 'INTEGER' \
        AND NOT EXISTS (SELECT 1 FROM pragma_index_list(?1) WHERE origin = 'pk')
        """

    static func reprepares(of statement: OpaquePointer) -> Int32 {
        sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_REPREPARE, 0)
    }

    /// The answer for `insert` if it still holds for the statement as it is compiled now.
    func answer(for insert: OpaquePointer) -> Bool? {
        guard let known = answers[insert], known.reprepares == Self.reprepares(of: insert) else { return nil }
        return known.isRowID
    }

    func record(_ isRowID: Bool, for insert: OpaquePointer) {
        answers[insert] = (Self.reprepares(of: insert), isRowID)
    }

    /// A statement was just prepared: whatever was known under its handle belonged to a finalized one.
    func forget(_ statement: OpaquePointer) {
        if !answers.isEmpty { answers[statement] = nil }
    }
}
