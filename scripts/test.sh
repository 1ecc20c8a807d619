#!/usr/bin/env bash
# Runs every test, on SQLite and on PostgreSQL. Installs the system libraries and server it needs when they are
# missing, and starts a throwaway PostgreSQL cluster unless VERSIONED_ORM_POSTGRES_URL names a server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh all
swift build --build-tests
scripts/with-postgres.sh swift test --skip-build "$@"
