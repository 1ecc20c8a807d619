import VersionedORM

/// Classifies PostgreSQL errors by SQLSTATE.
enum PostgresErrorMapping {
    static func kind(of sqlstate: String) -> DatabaseError.Kind {
        switch sqlstate {
        case "40001", "40P01": return .transientConflict  // serialization_failure, deadlock_detected
        case "55P03": return .lockNotAvailable
        case "23505": return .uniqueViolation
        case "23503": return .foreignKeyViolation
        case "23502": return .notNullViolation
        case "23514": return .checkViolation
        case "25006": return .readOnly  // read_only_sql_transaction
        case "25P02": return .transactionAborted  // in_failed_sql_transaction
        case "57014": return .cancelled  // query_canceled: a cancel request, or the server's statement_timeout
        // statement_completion_unknown, transaction_resolution_unknown: the server cannot say whether it committed.
        case "40003", "08007": return .commitOutcomeUnknown
        case "57P01", "57P02", "57P03": return .connectionLost  // server shutting down or terminated us
        default: break
        }
        switch sqlstate.prefix(2) {
        case "23": return .constraintViolation
        case "08": return .connectionLost
        case "42", "0A": return .invalidStatement
        case "22": return .invalidValue
        default: return .other
        }
    }
}
