import VersionedORM

/// Makes the next writes to a table fail with a chosen SQLSTATE, deterministically, so the conflict and failover
/// paths of an application (and of this library) can be tested against a real server.
///
/// ```swift
/// try await db.write { tx in
///     try PostgresFaultInjector.arm(tx, table: "accounts", failing: "40001", times: 2, at: .commit)
/// }
/// // The next two transactions that change "accounts" fail at COMMIT with a serialization failure.
/// ```
///
/// The count lives in a sequence, which a rollback does not undo, so the failure a fault causes does not re-arm
/// it. At `.statement` the fault fires once per INSERT, UPDATE or DELETE statement on the table; at `.commit`, a
/// deferred constraint trigger fires once per changed row when the transaction commits. Arming again replaces
/// the previous fault; ``disarm(_:table:)`` removes it. Needs a role that may create functions and triggers.
public enum PostgresFaultInjector {
    /// When the fault fires.
    public enum Moment: Sendable {
        /// During the statement that changes the table.
        case statement
        /// At COMMIT of a transaction that changed the table.
        case commit
    }

    /// Arms the fault inside `transaction`; it takes effect when that transaction commits.
    public static func arm(_ transaction: Transaction, table: String, failing sqlstate: String, times: Int,
                           at moment: Moment) throws {
        // Both end up inside a function body, where no parameter can be bound: refuse anything but their shapes.
        guard sqlstate.utf8.count == 5, sqlstate.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isUppercase) }) else {
            throw UsageError.invalidArgument("an SQLSTATE is five digits or capital letters (got \(sqlstate.count) characters)")
        }
        guard times >= 0 else { throw UsageError.invalidArgument("times must not be negative (got \(times))") }
        try Identifier.validate(table)
        try disarm(transaction, table: table)
        let names = Names(table: table)
        try transaction.execute("CREATE SEQUENCE \(identifier: names.sequence)")
        try transaction.execute(SQL(unsafeRaw: """
            CREATE FUNCTION "\(names.function)"() RETURNS trigger LANGUAGE plpgsql AS $fault$
            BEGIN
                IF nextval('"\(names.sequence)"') <= \(times) THEN
                    RAISE EXCEPTION 'injected fault on %', TG_TABLE_NAME USING ERRCODE = '\(sqlstate)';
                END IF;
                RETURN NULL;
            END
            $fault$
            """))
        switch moment {
        case .statement:
            try transaction.execute("""
                CREATE TRIGGER \(identifier: names.trigger) AFTER INSERT OR UPDATE OR DELETE ON \(identifier: table) \
                FOR EACH STATEMENT EXECUTE FUNCTION \(identifier: names.function)()
                """)
        case .commit:
            try transaction.execute("""
                CREATE CONSTRAINT TRIGGER \(identifier: names.trigger) AFTER INSERT OR UPDATE OR DELETE ON \(identifier: table) \
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION \(identifier: names.function)()
                """)
        }
    }

    /// Removes the fault of `table`, if one is armed.
    public static func disarm(_ transaction: Transaction, table: String) throws {
        try Identifier.validate(table)
        let names = Names(table: table)
        try transaction.execute("DROP TRIGGER IF EXISTS \(identifier: names.trigger) ON \(identifier: table)")
        try transaction.execute("DROP FUNCTION IF EXISTS \(identifier: names.function)()")
        try transaction.execute("DROP SEQUENCE IF EXISTS \(identifier: names.sequence)")
    }

    /// How many times the fault of `table` has fired or been passed (the sequence's count), or nil if none is armed.
    public static func firings(_ transaction: Transaction, table: String) throws -> Int64? {
        try Identifier.validate(table)
        let names = Names(table: table)
        guard try transaction.fetchValue(Int.self, "SELECT COUNT(*) FROM pg_class WHERE relname = \(names.sequence) AND relkind = 'S' AND pg_table_is_visible(oid)") == 1 else {
            return nil
        }
        let row = try transaction.fetchRows("SELECT last_value, is_called FROM \(identifier: names.sequence)").first
        guard let row, case .bool(let called) = row[1] else { return nil }
        return called ? try Int64.fromDatabaseValue(row[0]) : 0
    }

    private struct Names {
        let sequence: String
        let function: String
        let trigger: String

        init(table: String) {
            // Identifiers are at most 63 bytes: the table name is cut so the prefix and suffix fit.
            let base = "vorm_fault_" + table.prefix(40)
            sequence = base + "_seq"
            function = base + "_fn"
            trigger = base + "_trg"
        }
    }
}
