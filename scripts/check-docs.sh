#!/usr/bin/env bash
# Builds the DocC documentation of every library product with swift-docc-plugin, treating any warning (a broken
# link, an unknown symbol, a malformed article) as an error, and checks that every public declaration has a
# documentation comment. The archives go to .build/docs/<target>.doccarchive.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 scripts/undocumented-symbols.py Sources/VersionedORM Sources/ORMDrivers Sources/Integrations Sources/Macros/Declarations
out=.build/docs
mkdir -p "$out"
for target in VersionedORM SQLiteDriver PostgresDriver VersionedORMMacros VersionedORMHTTP VersionedORMHummingbird \
    VersionedORMServiceLifecycle VersionedORMTracing VersionedORMTesting; do
    if ! swift package --allow-writing-to-directory "$out" generate-documentation --target "$target" \
        --output-path "$out/$target.doccarchive" --warnings-as-errors >"$out/$target.log" 2>&1; then
        grep -E "warning:|error:" "$out/$target.log" >&2 || tail -n 30 "$out/$target.log" >&2
        echo "error: the documentation of $target has warnings or does not build (log: $out/$target.log)" >&2
        exit 1
    fi
done
echo "DocC: every product's documentation builds without warnings; every public declaration is documented." >&2
