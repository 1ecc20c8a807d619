#!/usr/bin/env bash
# Runs every test. Installs the system libraries the package needs when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-dependencies.sh all
swift build --build-tests
swift test --skip-build "$@"
