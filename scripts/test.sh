#!/usr/bin/env bash
# Runs every test, on SQLite and on PostgreSQL, after checking that every Swift snippet of README.md compiles and
# that the DocC documentation builds without warnings (scripts/check-docs.sh),
# then the web example end to end against its running server (scripts/web-e2e.sh), on both databases.
# Installs the system libraries and servers it needs when they are missing, and starts throwaway PostgreSQL
# servers (and PgBouncer) unless VERSIONED_ORM_POSTGRES_URL names a server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh all
scripts/check-readme.sh
swift build --build-tests
scripts/check-docs.sh
scripts/with-postgres.sh bash -c 'swift test --skip-build "$@" && scripts/web-e2e.sh' test.sh "$@"
