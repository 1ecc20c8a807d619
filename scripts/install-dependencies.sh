#!/usr/bin/env bash
# Installs the system libraries the package builds against, when they are missing.
#   scripts/install-dependencies.sh sqlite     headers for the SQLite driver (libsqlite3-dev)
#   scripts/install-dependencies.sh postgres   libpq headers, the PostgreSQL server binaries and PgBouncer for the tests
#   scripts/install-dependencies.sh all        both, and curl and psql for the web example's end-to-end run
#   scripts/install-dependencies.sh browser    headless Chromium, for checking lock-bench's HTML report (not part of all)
# Uses apt-get when run as root on Debian or Ubuntu (or with passwordless sudo); elsewhere it says what to install.
set -euo pipefail

want="${1:-all}"
missing=()

have_pkg_config_module() {
    command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"
}

postgres_bin_dir() {
    local candidate
    for candidate in "${VERSIONED_ORM_PG_BIN:-}" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
            echo "$candidate"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

if [ "$want" = browser ]; then
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
else
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
fi
if [ "$want" = sqlite ] || [ "$want" = all ]; then
    have_pkg_config_module sqlite3 || missing+=(libsqlite3-dev)
fi
if [ "$want" = postgres ] || [ "$want" = all ]; then
    have_pkg_config_module libpq || missing+=(libpq-dev)
    postgres_bin_dir >/dev/null || missing+=(postgresql)
    command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || missing+=(pgbouncer)
fi
if [ "$want" = all ]; then
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
fi

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi

apt=()
if command -v apt-get >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        apt=(apt-get)
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        apt=(sudo apt-get)
    fi
fi

if [ "${#apt[@]}" -eq 0 ]; then
    echo "error: missing system packages: ${missing[*]}" >&2
    echo "Install them with your package manager (Debian/Ubuntu: apt-get install ${missing[*]};" >&2
    echo "macOS: brew install sqlite libpq postgresql), then run this command again." >&2
    exit 1
fi

echo "Installing ${missing[*]} …" >&2
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq >/dev/null
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
