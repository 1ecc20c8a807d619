import VersionedORM

/// Settings of a PostgreSQL database.
public struct PostgresConfiguration: Sendable {
    /// TCP keepalive probes: after `idle` without traffic, a probe every `interval`; `count` unanswered probes
    /// end the connection. They find a server that went away without closing the connection (a network
    /// partition, a crashed host).
    public struct TCPKeepalive: Sendable, Equatable {
        /// Time without traffic before the first probe (libpq `keepalives_idle`, whole seconds, at least 1).
        public var idle: Duration
        /// Time between probes while none is answered (libpq `keepalives_interval`, whole seconds, at least 1).
        public var interval: Duration
        /// Unanswered probes that end the connection (libpq `keepalives_count`, at least 1).
        public var count: Int

        /// By default a probe after 30 s idle, then every 10 s, 3 unanswered ending the connection: a server that
        /// went away is noticed within about a minute.
        public init(idle: Duration = .seconds(30), interval: Duration = .seconds(10), count: Int = 3) {
            self.idle = idle
            self.interval = interval
            self.count = count
        }
    }

    /// How statements are sent.
    public enum StatementMode: Sendable, Equatable {
        /// Named prepared statements, cached per connection by SQL text and parameter types: one round trip for
        /// the parse once, then only Bind/Execute. The fastest, for direct connections and for PgBouncer 1.21 or
        /// later with `max_prepared_statements` set. Behind a transaction pooler without that support, a
        /// statement name meets another server connection and fails with `.preparedStatementMismatch`
        /// (names carry a random part per connection, so it never runs another client's statement).
        case namedPrepared
        /// Every statement as one unnamed Parse/Bind/Execute train (`PQexecParams`): nothing outlives the request,
        /// so a transaction-pooling PgBouncer (any version) can move the client between server connections.
        /// Costs a parse per statement.
        case unnamed
    }

    /// A libpq connection URI (`postgresql://user@host:5432/db?sslmode=require`) or key/value conninfo string
    /// (`host=/tmp port=5432 dbname=app`). Empty means libpq's defaults and environment variables (PGHOST,
    /// PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, …), which also fill in whatever the string leaves out.
    /// A string that does not parse, or a URI whose scheme is not `postgresql://` or `postgres://`, is refused
    /// with `UsageError.invalidArgument(_:)`, whose text never contains the string itself.
    public var connectionString: String
    /// Connection parameters that override the string's, by libpq keyword (`["application_name": "api"]`,
    /// `["options": "-c search_path=tenant1"]`).
    public var parameters: [String: String]
    /// Settings shared by every driver: logging, tracing, how long to wait for a free connection.
    public var database: DatabaseConfiguration
    /// The number of connections in the pool; each one is opened on first use.
    public var poolSize: Int
    /// The number of named prepared statements each connection keeps; beyond it the least recently used one is
    /// deallocated. Raw SQL and statements with an `IN` list are sent unnamed and never kept.
    public var statementCacheCapacity: Int
    /// How long opening a connection may take, TCP handshake and login included (libpq `connect_timeout`,
    /// whole seconds, at least 2). nil waits as long as the operating system does. A URI's own
    /// `connect_timeout` and ``parameters`` take precedence.
    public var connectTimeout: Duration?
    /// Keepalive probes on TCP connections (ignored for Unix sockets); nil leaves the system's settings.
    public var tcpKeepalive: TCPKeepalive?
    /// How long sent data may stay unacknowledged before the connection is dropped (libpq `tcp_user_timeout`,
    /// Linux only). Bounds a statement sent to a server that is no longer reachable.
    public var tcpUserTimeout: Duration?
    /// How long the library waits for a statement's answer before it asks the server to cancel it; nil waits
    /// without limit. A cancelled statement fails with `DatabaseError.Kind.timedOut`; if the server does not
    /// answer the cancellation within ``cancelGracePeriod`` either, the connection is closed and the statement
    /// fails with `.connectionLost` (`.commitOutcomeUnknown` for COMMIT). Measured on the client, so it also
    /// bounds a server that stopped answering, which a server-side `statement_timeout` cannot.
    public var statementTimeout: Duration?
    /// How long to wait for the answer to a cancellation after ``statementTimeout``.
    public var cancelGracePeriod: Duration
    /// Named prepared statements (the default) or unnamed ones, for transaction pooling.
    public var statementMode: StatementMode
    /// A read replica (or several hosts of them, libpq multi-host syntax) for `read` transactions; nil reads on
    /// the primary. With a replica every write fetches its commit token (`pg_current_wal_insert_lsn()`, one
    /// extra round trip) so that `read(consistency: .atLeast(token, timeout:))` can wait for it. ``parameters``
    /// apply to replica connections too.
    public var replicaConnectionString: String?
    /// Connections to the replica, each opened on first use.
    public var replicaPoolSize: Int

    /// Each argument sets the property of the same name. By default libpq's defaults say where to connect, with
    /// 8 connections, 10 s to connect, keepalives, a 30 s TCP user timeout, no statement timeout and no replica.
    public init(
        connectionString: String = "",
        parameters: [String: String] = [:],
        database: DatabaseConfiguration = DatabaseConfiguration(),
        poolSize: Int = 8,
        statementCacheCapacity: Int = 256,
        connectTimeout: Duration? = .seconds(10),
        tcpKeepalive: TCPKeepalive? = TCPKeepalive(),
        tcpUserTimeout: Duration? = .seconds(30),
        statementTimeout: Duration? = nil,
        cancelGracePeriod: Duration = .seconds(2),
        statementMode: StatementMode = .namedPrepared,
        replicaConnectionString: String? = nil,
        replicaPoolSize: Int = 4
    ) {
        self.connectionString = connectionString
        self.parameters = parameters
        self.database = database
        self.poolSize = poolSize
        self.statementCacheCapacity = statementCacheCapacity
        self.connectTimeout = connectTimeout
        self.tcpKeepalive = tcpKeepalive
        self.tcpUserTimeout = tcpUserTimeout
        self.statementTimeout = statementTimeout
        self.cancelGracePeriod = cancelGracePeriod
        self.statementMode = statementMode
        self.replicaConnectionString = replicaConnectionString
        self.replicaPoolSize = replicaPoolSize
    }

    /// The libpq keywords of the timeouts above, which the connection string and ``parameters`` may override.
    var timeoutParameters: [(String, String)] {
        var pairs: [(String, String)] = []
        if let connectTimeout {
            pairs.append(("connect_timeout", String(max(2, connectTimeout.clampedMilliseconds / 1000))))
        }
        if let keepalive = tcpKeepalive {
            pairs.append(("keepalives", "1"))
            pairs.append(("keepalives_idle", String(max(1, keepalive.idle.clampedMilliseconds / 1000))))
            pairs.append(("keepalives_interval", String(max(1, keepalive.interval.clampedMilliseconds / 1000))))
            pairs.append(("keepalives_count", String(max(1, keepalive.count))))
        }
        if let tcpUserTimeout {
            pairs.append(("tcp_user_timeout", String(min(Int64(Int32.max), tcpUserTimeout.clampedMilliseconds))))
        }
        return pairs
    }
}
