#!/usr/bin/env bash
# Runs the example program on an embedded SQLite file, installing the SQLite headers first if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh sqlite
swift build --product example -q
exec swift run --skip-build example "$@"
