#!/usr/bin/env bash
# The web example end to end, against the running server with a real HTTP client (curl): two clients edit one
# account at the same version; one wins, the other gets 412 with the current ETag, re-reads and re-applies, and
# neither edit is lost. Then concurrent transfers keep the total. Runs on SQLite, and on PostgreSQL too when
# VERSIONED_ORM_POSTGRES_URL is set (scripts/test.sh runs it under scripts/with-postgres.sh), in a schema of its
# own. The server listens on 127.0.0.1 on a port the system picks; everything it made is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${WEB_EXAMPLE_BINARY:-.build/debug/web-example}
if [ ! -x "$binary" ]; then swift build --product web-example; fi

work=$(mktemp -d)
server_pid=
postgres_schema=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    if [ -n "$postgres_schema" ]; then
        psql -q "$VERSIONED_ORM_POSTGRES_URL" -c "DROP SCHEMA IF EXISTS $postgres_schema CASCADE" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "web-e2e: FAIL: $*" >&2; exit 1; }

# request METHOD PATH [HEADER] [BODY] → sets status, etag, body
request() {
    local method=$1 path=$2 header=${3:-} data=${4:-}
    local args=(-s -X "$method" -D "$work/headers" -o "$work/body" -w '%{http_code}' -H 'Content-Type: application/json')
    if [ -n "$header" ]; then args+=(-H "$header"); fi
    if [ -n "$data" ]; then args+=(--data "$data"); fi
    status=$(curl "${args[@]}" "$base$path")
    etag=$(grep -i '^etag:' "$work/headers" | sed 's/^[^:]*: *//; s/\r$//' || true)
    body=$(cat "$work/body")
}

json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }

start_server() {
    : >"$work/server.log"
    PORT=0 "$@" "$binary" >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 200); do
        if grep -q '^listening on ' "$work/server.log"; then break; fi
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the server exited"; }
        sleep 0.05
    done
    base=$(grep -m1 '^listening on ' "$work/server.log" | sed 's/^listening on //')
    [ -n "$base" ] || fail "the server did not start"
}

stop_server() {
    kill -TERM "$server_pid"
    wait "$server_pid" || fail "the server did not shut down cleanly: $(cat "$work/server.log")"
    server_pid=
}

scenario() {
    local database=$1
    request POST /accounts "" '{"owner":"ada","balance":1000}'
    [ "$status" = 201 ] && [ "$etag" = '"1"' ] || fail "$database: create gave $status $etag"
    local id; id=$(json "$body" "['id']")
    request POST /accounts "" '{"owner":"bob","balance":1000}'
    local other; other=$(json "$body" "['id']")

    # Both clients load version 1; the first edit wins.
    request GET "/accounts/$id"; local alice_tag=$etag bob_tag=$etag
    request PATCH "/accounts/$id" "If-Match: $alice_tag" '{"owner":"ada lovelace"}'
    [ "$status" = 200 ] && [ "$etag" = '"2"' ] || fail "$database: the first edit gave $status $etag"
    request PATCH "/accounts/$id" "If-Match: $bob_tag" '{"note":"vip"}'
    [ "$status" = 412 ] && [ "$etag" = '"2"' ] || fail "$database: the stale edit gave $status $etag, not 412 \"2\""
    request GET "/accounts/$id"
    [ "$(json "$body" "['owner']")" = "ada lovelace" ] && [ "$(json "$body" ".get('note')")" = None ] \
        || fail "$database: the refused edit changed the row: $body"
    # Bob re-applies on the tag the 412 gave him: both edits are kept.
    request PATCH "/accounts/$id" "If-Match: \"2\"" '{"note":"vip"}'
    [ "$status" = 200 ] && [ "$etag" = '"3"' ] || fail "$database: the re-applied edit gave $status $etag"
    request GET "/accounts/$id"
    [ "$(json "$body" "['owner']")/$(json "$body" ".get('note')")" = "ada lovelace/vip" ] || fail "$database: a write was lost: $body"

    request PATCH "/accounts/$id" "" '{"note":"no tag"}'
    [ "$status" = 428 ] || fail "$database: an edit without If-Match gave $status"
    request GET "/accounts/$id" 'If-None-Match: "3"'
    [ "$status" = 304 ] || fail "$database: a matching If-None-Match gave $status"

    # The same race with both requests in flight at once, ten rounds: one 200 and one 412 each time.
    for round in $(seq 3 12); do
        local pids=()
        for client in alice bob; do
            curl -s -o /dev/null -w '%{http_code}\n' -X PATCH -H 'Content-Type: application/json' \
                -H "If-Match: \"$round\"" --data "{\"note\":\"$client $round\"}" "$base/accounts/$id" >"$work/$client" &
            pids+=($!)
        done
        wait "${pids[@]}"
        local pair; pair=$(sort "$work/alice" "$work/bob" | tr '\n' ' ')
        [ "$pair" = "200 412 " ] || fail "$database: round $round of two concurrent edits gave $pair"
    done
    request GET "/accounts/$id"
    [ "$etag" = '"13"' ] || fail "$database: after ten rounds the tag is $etag"

    # Forty concurrent transfers, both ways: each 200 or 409, and the balances move by the 200s only.
    local expected_delta=0 n transfers=()
    for n in $(seq 1 40); do
        if (( n % 2 )); then from=$id to=$other; else from=$other to=$id; fi
        curl -s -o /dev/null -w "%{http_code} $from $n\n" -X POST -H 'Content-Type: application/json' \
            --data "{\"from\":$from,\"to\":$to,\"amount\":$n}" "$base/transfers" >"$work/transfer-$n" &
        transfers+=($!)
    done
    wait "${transfers[@]}"
    local ok=0 conflicts=0
    for n in $(seq 1 40); do
        read -r code from amount <"$work/transfer-$n"
        case $code in
            200) ok=$((ok + 1)); if [ "$from" = "$id" ]; then expected_delta=$((expected_delta - amount)); else expected_delta=$((expected_delta + amount)); fi ;;
            409) conflicts=$((conflicts + 1)) ;;
            *) fail "$database: a transfer gave $code" ;;
        esac
    done
    request GET "/accounts/$id"; local first_balance; first_balance=$(json "$body" "['balance']")
    request GET "/accounts/$other"; local second_balance; second_balance=$(json "$body" "['balance']")
    [ "$first_balance" = $((1000 + expected_delta)) ] && [ "$second_balance" = $((1000 - expected_delta)) ] \
        || fail "$database: balances $first_balance and $second_balance after $ok transfers (expected delta $expected_delta)"
    echo "web-e2e: $database: stale edit 412 with the current ETag and re-applied, 10 concurrent rounds one 200 and one 412 each, $ok transfers committed and $conflicts answered 409, total kept"
}

start_server env WEB_EXAMPLE_SQLITE="$work/bank.sqlite" TRANSFER_MAX_ATTEMPTS=3
scenario SQLite
stop_server

if [ -n "${VERSIONED_ORM_POSTGRES_URL:-}" ]; then
    postgres_schema="web_e2e_$$"
    psql -q -v ON_ERROR_STOP=1 "$VERSIONED_ORM_POSTGRES_URL" -c "CREATE SCHEMA $postgres_schema" >/dev/null
    case $VERSIONED_ORM_POSTGRES_URL in *\?*) separator='&' ;; *) separator='?' ;; esac
    start_server env WEB_EXAMPLE_POSTGRES_URL="$VERSIONED_ORM_POSTGRES_URL${separator}options=-csearch_path%3D$postgres_schema" \
        TRANSFER_MAX_ATTEMPTS=3
    scenario PostgreSQL
    stop_server
elif [ "${CI:-}" = true ]; then
    fail "CI=true and VERSIONED_ORM_POSTGRES_URL is not set: the PostgreSQL run cannot be skipped"
fi
