#!/usr/bin/env bash
# Opens a lock-bench report in headless Chromium (installed through scripts/install-dependencies.sh browser),
# saves a full-page screenshot next to it and checks what the browser rendered: for every database in the
# report, the winning-strategy heatmap, the crossover sentences and the charts.
#   Benchmarks/scripts/check-report.sh DIR        (DIR/index.html, as lock-bench --report DIR writes it)
set -euo pipefail
dir="${1:?usage: check-report.sh DIR}"
page="$(cd "$dir" && pwd)/index.html"
[ -f "$page" ] || { echo "error: no $page" >&2; exit 1; }
"$(dirname "$0")/../../scripts/install-dependencies.sh" browser

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
browser=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile")
"${browser[@]}" --window-size=1300,6000 --screenshot="$dir/screenshot.png" "file://$page" 2>/dev/null
"${browser[@]}" --dump-dom "file://$page" 2>/dev/null > "$profile/dom.html"

status=0
for database in $(grep -o '<h2>[a-z-]*: the winning strategy</h2>' "$profile/dom.html" | sed 's/<h2>\([a-z-]*\):.*/\1/'); do
    heat=$(grep -c "aria-label=\"$database winning strategy heatmap\"" "$profile/dom.html" || true)
    sentences=$(grep -o "<li>$database, T = [0-9]*: [^<]*</li>" "$profile/dom.html" | wc -l)
    charts=$(grep -o "aria-label=\"$database, [^\"]*\"" "$profile/dom.html" | wc -l)
    echo "$database: heatmap $heat, crossover sentences $sentences, charts $charts"
    if [ "$heat" -ne 1 ] || [ "$sentences" -lt 1 ] || [ "$charts" -lt 2 ]; then status=1; fi
done
[ -n "${database:-}" ] || { echo "error: the page shows no database" >&2; status=1; }
echo "screenshot: $dir/screenshot.png"
exit "$status"
