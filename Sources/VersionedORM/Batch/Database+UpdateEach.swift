import Logging

extension Database {
    /// A batch job that never overwrites what users changed meanwhile: walks the rows `query` matches in key
    /// order, `chunkSize` at a time, applies `change` to each and writes the columns it changed with a version
    /// check, one short write transaction per chunk.
    ///
    /// ```swift
    /// let report = try await db.updateEach(Account.where { $0.balance < 0 }, onStale: .retry) { account in
    ///     account.note = "overdrawn"
    /// }
    /// print(report.saved.count, report.retried.count, report.skippedStale.count, report.deleted.count)
    /// ```
    ///
    /// Each chunk is read in a read transaction (on the primary when there are replicas), `change` runs with no
    /// transaction open and no lock held, so a slow computation per row blocks nobody, and the chunk is then
    /// written in one transaction. A row someone changed between the read and the write fails its version check
    /// and is handled as `onStale` says; one they deleted is reported in ``BatchReport/deleted``. Walking by key
    /// (keyset pagination) means rows inserted or deleted during the job never shift a chunk: every row that
    /// matched at the start and still exists is visited once.
    ///
    /// `query` is a filter only (no order, limit or lock). `change` may run twice for a row that is retried, so
    /// it must not have side effects; it throws to stop the job. `progress` is called after every chunk. The
    /// outcome is logged at info level and counted in ``BatchMetrics``; keys are in the report, never in logs.
    /// Cancelling the task stops the job between chunks with a ``BatchUpdateError``.
    public func updateEach<M: Model>(
        _ query: Query<M> = Query<M>(),
        chunkSize: Int = 500,
        onStale: StaleRowPolicy = .retry,
        progress: (@Sendable (BatchProgress) -> Void)? = nil,
        _ change: @escaping @Sendable (inout M) throws -> Void
    ) async throws -> BatchReport<M.Key> {
        if case .retry(let attempts) = onStale, attempts < 1 {
            throw UsageError.invalidArgument("a stale row needs at least one attempt (retry(attempts: \(attempts)))")
        }
        _ = try query.keysetChunk(after: nil, size: chunkSize)
        try M.schema.validate()
        let model = M.schema.modelName
        let logger = self.logger
        let started = ContinuousClock.now

        var report = BatchReport<M.Key>()
        do {
            let total = try await readForWriting { tx in try query.count(tx) }
            var last: M.Key?
            while true {
                try Task.checkCancellation()
                let chunkQuery = try query.keysetChunk(after: last, size: chunkSize)
                let rows = try await readForWriting { tx in try chunkQuery.fetchAll(tx) }
                guard let lastRow = rows.last else { break }
                last = M.schema.key(of: lastRow)
                guard last != nil else { throw PersistenceError.notInserted(model: model, operation: .update) }
                report.visited += rows.count

                // Outside any transaction: the write below holds its locks only while writing.
                var pending: [PendingRow<M>] = []
                for row in rows {
                    var changed = row
                    try change(&changed)
                    let columns = M.schema.changedColumnIndices(from: row, to: changed)
                    if columns.isEmpty {
                        report.unchanged += 1
                    } else {
                        pending.append(PendingRow(read: row, changed: changed, columns: columns))
                    }
                }
                let chunk = try await writeChunk(pending, failOnStale: onStale == .fail)
                report.saved += chunk.saved
                report.deleted += chunk.deleted
                if case .retry(let attempts) = onStale, attempts > 1 {
                    for key in chunk.stale {
                        try Task.checkCancellation()
                        try await retryStaleRow(key, query: query, attempts: attempts - 1, change, into: &report)
                    }
                } else {
                    report.skippedStale += chunk.stale
                }
                logger.debug("batch chunk written", metadata: [
                    "model": "\(model)", "rows": "\(rows.count)", "saved": "\(chunk.saved.count)",
                    "stale": "\(chunk.stale.count)", "deleted": "\(chunk.deleted.count)",
                ])
                progress?(BatchProgress(done: report.visited, total: total))
                // A short chunk was the last: no need to ask for an empty one.
                if rows.count < chunkSize { break }
            }
        } catch {
            BatchMetrics.record(report, model: model)
            logger.warning("batch job stopped", metadata: Self.metadata(report, model: model, since: started)
                .merging(["error": "\(error)"]) { $1 })
            throw BatchUpdateError(report: report, underlying: error)
        }
        BatchMetrics.record(report, model: model)
        logger.info("batch job finished", metadata: Self.metadata(report, model: model, since: started))
        return report
    }

    /// A read whose rows are about to be written back: on the primary when readers may lag behind it, so the
    /// versions read are current (an old one would only make the write stale).
    private func readForWriting<T: Sendable>(_ body: @escaping @Sendable (Transaction) throws -> T) async throws -> T {
        readersMayLag ? try await read(consistency: .primary, body) : try await read(body)
    }

    /// A row of a chunk as read, as the change left it, and the columns that differ.
    private struct PendingRow<M: Model>: Sendable {
        let read: M
        let changed: M
        let columns: [Int]
    }

    private struct ChunkOutcome<Key: PrimaryKeyValue>: Sendable {
        var saved: [Key] = []
        var stale: [Key] = []
        var deleted: [Key] = []
    }

    /// One write transaction for the chunk's changed rows, each version-checked against the copy that was read.
    /// On PostgreSQL, rows whose change touches only versioned columns go in one ``Transaction/saveAll(_:)``
    /// statement; a row that changes a column outside the version needs that column's own write, and on SQLite
    /// each row's UPDATE writes only what changed.
    private func writeChunk<M: Model>(_ pending: [PendingRow<M>], failOnStale: Bool) async throws -> ChunkOutcome<M.Key> {
        guard !pending.isEmpty else { return ChunkOutcome() }
        return try await write { tx in
            let schema = tx.schema(for: M.self)
            var outcome = ChunkOutcome<M.Key>()
            var together: [M] = []
            for row in pending {
                let (read, changed) = (row.read, row.changed)
                guard let key = schema.key(of: read) else { continue }
                guard schema.key(of: changed) == key, changed[keyPath: schema.version] == read[keyPath: schema.version] else {
                    throw PersistenceError.identityChanged(model: M.schema.modelName)
                }
                // Where saveAll would send a statement per row anyway (SQLite), the row's own UPDATE of just the
                // changed columns binds less.
                if tx.dialect.updatesFromValues, row.columns.allSatisfy({ !schema.unversionedColumns.contains($0) }) {
                    together.append(changed)
                    continue
                }
                var value = read
                do {
                    try tx.update(&value) { $0 = changed }
                    outcome.saved.append(key)
                } catch let stale as StaleRecordError {
                    // Nothing was written for this row, and the transaction goes on: a stale write is no SQL error.
                    if stale.current == .deleted {
                        outcome.deleted.append(key)
                    } else if failOnStale {
                        throw stale
                    } else {
                        outcome.stale.append(key)
                    }
                }
            }
            guard !together.isEmpty else { return outcome }
            let versions = Dictionary(uniqueKeysWithValues: together.compactMap { value in
                schema.key(of: value).map { ($0, value[keyPath: schema.version]) }
            })
            let result = try tx.saveAll(&together)
            outcome.saved += result.saved
            outcome.deleted += result.deleted
            if failOnStale, let key = result.modified.first {
                let current = try tx.find(M.self, id: key)?[keyPath: schema.version]
                throw StaleRecordError(model: M.schema.modelName, table: schema.table, primaryKey: AnyPrimaryKey(key),
                                       expectedVersion: versions[key] ?? 0,
                                       current: current.map { .modified(currentVersion: $0) } ?? .deleted, operation: .save)
            }
            outcome.stale += result.modified
            return outcome
        }
    }

    private enum RetryOutcome: Sendable {
        case saved, unchanged, stale, deleted, noLongerMatching
    }

    /// Reads the row afresh and applies `change` again, in one write transaction per attempt: on SQLite the read
    /// and the write then hold the write lock together; on PostgreSQL a commit between them makes it stale again.
    private func retryStaleRow<M: Model>(_ key: M.Key, query: Query<M>, attempts: Int,
                                         _ change: @escaping @Sendable (inout M) throws -> Void,
                                         into report: inout BatchReport<M.Key>) async throws {
        let fresh = query.matching(key: key)
        for _ in 0..<attempts {
            let outcome = try await write { tx -> RetryOutcome in
                guard var current = try fresh.fetchOne(tx) else {
                    return try tx.find(M.self, id: key) == nil ? .deleted : .noLongerMatching
                }
                var changed = current
                try change(&changed)
                if M.schema.changedColumnIndices(from: current, to: changed).isEmpty { return .unchanged }
                do {
                    try tx.update(&current) { $0 = changed }
                    return .saved
                } catch let stale as StaleRecordError {
                    return stale.current == .deleted ? .deleted : .stale
                }
            }
            switch outcome {
            case .saved:
                report.saved.append(key)
                report.retried.append(key)
                return
            case .unchanged:
                report.unchanged += 1
                return
            case .deleted:
                report.deleted.append(key)
                return
            case .noLongerMatching:
                report.noLongerMatching.append(key)
                return
            case .stale:
                continue
            }
        }
        report.skippedStale.append(key)
    }

    private static func metadata<Key>(_ report: BatchReport<Key>, model: String, since started: ContinuousClock.Instant) -> Logger.Metadata {
        [
            "model": "\(model)", "visited": "\(report.visited)", "saved": "\(report.saved.count)",
            "retried": "\(report.retried.count)", "skipped_stale": "\(report.skippedStale.count)",
            "deleted": "\(report.deleted.count)", "no_longer_matching": "\(report.noLongerMatching.count)",
            "unchanged": "\(report.unchanged)", "duration": "\(started.duration(to: .now))",
        ]
    }
}
