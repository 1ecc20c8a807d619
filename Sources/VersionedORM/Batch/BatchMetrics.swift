import Metrics

/// What batch jobs did, per model, through swift-metrics.
///
/// | label | type | dimensions |
/// |---|---|---|
/// | `versioned_orm.batch_rows` | counter | `model`; `outcome`: `saved`, `retried`, `skipped_stale`, `deleted`, `no_longer_matching`, `unchanged` |
///
/// A retried row counts as `retried` and as `saved`.
public enum BatchMetrics {
    /// The label of the row counter in the table above, for finding it in a metrics backend.
    public static let rowsLabel = "versioned_orm.batch_rows"

    static func record<Key>(_ report: BatchReport<Key>, model: String) {
        let outcomes: [(String, Int)] = [
            ("saved", report.saved.count), ("retried", report.retried.count),
            ("skipped_stale", report.skippedStale.count), ("deleted", report.deleted.count),
            ("no_longer_matching", report.noLongerMatching.count), ("unchanged", report.unchanged),
        ]
        for (outcome, count) in outcomes where count > 0 {
            Counter(label: rowsLabel, dimensions: [("model", model), ("outcome", outcome)]).increment(by: count)
        }
    }
}
