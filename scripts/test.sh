#!/usr/bin/env bash
# Runs every test, on SQLite and on PostgreSQL, after checking that every Swift snippet of README.md compiles.
# Installs the system libraries and servers it needs when they are missing, and starts throwaway PostgreSQL
# servers (and PgBouncer) unless VERSIONED_ORM_POSTGRES_URL names a server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh all
scripts/check-readme.sh
swift build --build-tests
scripts/with-postgres.sh swift test --skip-build "$@"
