#!/usr/bin/env bash
# Runs a command with VERSIONED_ORM_POSTGRES_URL pointing at a PostgreSQL server, VERSIONED_ORM_STANDBY_URL at a
# hot standby of it, and VERSIONED_ORM_PGBOUNCER_URL at a transaction-pooling PgBouncer in front of it.
#
# When VERSIONED_ORM_POSTGRES_URL is already set, the command runs against that server (set the other two as
# well, or the replica and pooler tests fail). Otherwise this starts a throwaway cluster: initdb into a
# temporary directory as a non-root user, listening only on a Unix socket in that directory; a standby made with
# pg_basebackup -R on another socket there; PgBouncer (pool_mode = transaction, two server connections) on a
# third; and stops and removes all of it when the command ends, whether it passed, failed or was interrupted.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG…]" >&2
    exit 2
fi

if [ -n "${VERSIONED_ORM_POSTGRES_URL:-}" ]; then
    echo "Using the PostgreSQL server at VERSIONED_ORM_POSTGRES_URL." >&2
    exec "$@"
fi

bin=""
for candidate in "${VERSIONED_ORM_PG_BIN:-}" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bin="$candidate"; break; fi
done
if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then bin="$(dirname "$(command -v initdb)")"; fi
if [ -z "$bin" ]; then
    echo "error: PostgreSQL server binaries (initdb, pg_ctl) not found. Install the Debian package 'postgresql'" >&2
    echo "(scripts/install-dependencies.sh postgres does it as root), or set VERSIONED_ORM_POSTGRES_URL." >&2
    exit 1
fi

# PostgreSQL refuses to run as root: as root, run it as the 'postgres' system user (created when missing).
as_owner=()
owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
    owner=postgres
    if ! id "$owner" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
    fi
    as_owner=(runuser -u "$owner" --)
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/versioned-orm-pg.XXXXXX")"
chmod 755 "$dir"
[ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
port=5432

pooler_port=6432
standby_port=5433
failover_primary_port=5440
failover_standby_port=5441

cleanup() {
    status=$?
    if [ -f "$dir/pgbouncer.pid" ]; then
        # SIGTERM, then SIGKILL if it is still there: a pooler left running would outlive its deleted directory.
        pooler_pid="$(cat "$dir/pgbouncer.pid")"
        kill "$pooler_pid" 2>/dev/null || true
        for _ in $(seq 1 20); do kill -0 "$pooler_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pooler_pid" 2>/dev/null || true
    fi
    for cluster in standby failover-primary failover-standby; do
        if [ -d "$dir/$cluster" ]; then
            "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/$cluster" -m immediate -w stop >/dev/null 2>&1 || true
        fi
    done
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    if [ "$status" -ne 0 ] && [ -f "$dir/server.log" ]; then
        echo "--- last lines of the throwaway PostgreSQL server's log ---" >&2
        tail -n 30 "$dir/server.log" >&2 || true
    fi
    rm -rf "$dir"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "Starting a throwaway PostgreSQL cluster ($("$bin/postgres" --version)) in $dir …" >&2
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
}
# Durability settings off: the cluster is deleted afterwards, and the tests measure behaviour, not speed.
# max_connections stays at the stock 100, so the suite is known to pass against a default-configured server.
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null

export VERSIONED_ORM_POSTGRES_URL="postgresql:///postgres?host=$dir&port=$port&user=postgres"

# A hot standby streaming from it, made the way users make one (pg_basebackup -R). It applies commits 50 ms late,
# so a read that does not wait for its commit token reliably sees the past; hot_standby_feedback keeps the
# primary's vacuum (busy with the suite's schema churn) from cancelling a standby read that holds a snapshot.
"${as_owner[@]}" "$bin/pg_basebackup" -D "$dir/standby" -h "$dir" -p "$port" -U postgres -R -X stream -c fast \
    --no-sync >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $standby_port -c fsync=off -c hot_standby=on -c recovery_min_apply_delay=50ms -c hot_standby_feedback=on -c wal_receiver_status_interval=1s" \
    start >/dev/null || { tail -n 30 "$dir/standby.log" >&2; exit 1; }
export VERSIONED_ORM_STANDBY_URL="postgresql:///postgres?host=$dir&port=$standby_port&user=postgres"

# A second primary and standby that one test fails over: it stops the primary and promotes the standby with
# VERSIONED_ORM_FAILOVER_COMMAND while writing through a two-host URL. Replication is synchronous, as it must
# be for a failover to lose no acknowledged commit.
start_cluster() { # data-dir port log [extra settings]
    "${as_owner[@]}" "$bin/pg_ctl" -D "$1" -l "$3" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $2 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${4:-}" \
        start >/dev/null || { tail -n 30 "$3" >&2; exit 1; }
}
"${as_owner[@]}" "$bin/initdb" -D "$dir/failover-primary" -U postgres -A trust -E UTF8 --no-sync >>"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
}
start_cluster "$dir/failover-primary" "$failover_primary_port" "$dir/failover-primary.log" \
    "-c synchronous_commit=on -c synchronous_standby_names='*'"
"${as_owner[@]}" "$bin/pg_basebackup" -D "$dir/failover-standby" -h "$dir" -p "$failover_primary_port" -U postgres -R \
    -X stream -c fast --no-sync >>"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
start_cluster "$dir/failover-standby" "$failover_standby_port" "$dir/failover-standby.log" "-c hot_standby=on"
export VERSIONED_ORM_FAILOVER_URL="postgresql:///postgres?host=$dir,$dir&port=$failover_primary_port,$failover_standby_port&user=postgres&target_session_attrs=read-write"
export VERSIONED_ORM_FAILOVER_COMMAND="${as_owner[*]} $bin/pg_ctl -D $dir/failover-primary -m immediate -w stop && ${as_owner[*]} $bin/pg_ctl -D $dir/failover-standby -w promote"

pgbouncer_bin="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
if [ -x "$pgbouncer_bin" ]; then
    # Transaction pooling with a pool smaller than the clients: the setting where session state and named
    # statements go astray. Unix socket only (empty listen_addr); trust, as for the cluster itself.
    printf '"postgres" ""\n' >"$dir/userlist.txt"
    cat >"$dir/pgbouncer.ini" <<INI
[databases]
postgres = host=$dir port=$port dbname=postgres
[pgbouncer]
listen_addr =
listen_port = $pooler_port
unix_socket_dir = $dir
auth_type = trust
auth_file = $dir/userlist.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 200
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
ignore_startup_parameters = extra_float_digits
INI
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir/userlist.txt" "$dir/pgbouncer.ini"
    "${as_owner[@]}" "$pgbouncer_bin" -d "$dir/pgbouncer.ini" </dev/null >"$dir/pgbouncer.start.log" 2>&1 || {
        cat "$dir/pgbouncer.start.log" "$dir/pgbouncer.log" >&2 2>/dev/null || true
        exit 1
    }
    for _ in $(seq 1 100); do [ -S "$dir/.s.PGSQL.$pooler_port" ] && break; sleep 0.1; done
    export VERSIONED_ORM_PGBOUNCER_URL="postgresql:///postgres?host=$dir&port=$pooler_port&user=postgres"
    echo "PgBouncer ($("$pgbouncer_bin" --version | head -n 1)) in transaction mode on $dir, port $pooler_port." >&2
else
    echo "warning: PgBouncer not found (scripts/install-dependencies.sh postgres installs it): the pooler tests will fail." >&2
fi
"$@"
