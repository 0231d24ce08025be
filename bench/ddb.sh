#!/usr/bin/env bash
# bench/ddb.sh: the DynamoDB benchmarks of docs/benchmarks.md ("DynamoDB"), on a file store.
#
#   1. PutItem of 1 KB items on random keys (BENCH_KEYS of them), then GetItem of random keys
#      among the same ones (all present after the load phase), BENCH_CONNS keep-alive
#      connections; awslet and the ceiling server alternating A B A B ... for BENCH_ROUNDS
#      rounds each, then the medians and ratios. bench/loadgen --random-keys.
#   2. Query of one partition of 100 items of 1 KB (every answer carries all 100), same
#      connections, BENCH_ROUNDS rounds; the answer is checked to hold 100 items first.
#
# awslet runs with --log-level warn and a file store: every acknowledged PutItem is committed.
# Prints a markdown table (also saved to $BUILD/ddb-results.md). About 1.5 minutes with the
# defaults, plus the build. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${AWSLET_BENCH_BUILD:-build-bench}
ROUNDS=${BENCH_ROUNDS:-5}
DURATION=${BENCH_DURATION:-3}
WARMUP=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNS:-64}
KEYS=${BENCH_KEYS:-100000}
THREADS=${BENCH_THREADS:-$(n=$(nproc); ((n < 2)) && n=2; echo "$n")}
# 1 KB of attribute payload, so that an item is about 1 KB as DynamoDB counts it.
PAYLOAD=$(printf 'x%.0s' {1..1000})

# shellcheck source=bench/lib.sh
. bench/lib.sh

build_release
scratch_dir awslet-ddbbench

yes_no() { awk "BEGIN { print ($1) ? \"yes\" : \"**no**\" }"; }

# ddb OP BODY: one DynamoDB call to awslet; prints the answer, fails on non-200.
ddb() {
    curl -sS --fail-with-body -m 30 -X POST -H "X-Amz-Target: DynamoDB_20120810.$1" \
        -H 'Content-Type: application/x-amz-json-1.0' -d "$2" "http://127.0.0.1:$A_PORT/"
}

# load OP BODYFILE PORT LABEL OUT [loadgen args...]: one round, its JSON line appended to OUT.
load() {
    local op=$1 body=$2 port=$3 label=$4 out=$5 line
    shift 5
    line=$("$LOADGEN" -p "$port" -c "$CONNS" -d "$DURATION" -w "$WARMUP" -m POST -u / \
        -H "X-Amz-Target: DynamoDB_20120810.$op" -H 'Content-Type: application/x-amz-json-1.0' \
        -b "@$body" "$@" --json --label "$label" | tee /dev/stderr | json_line) || {
        echo "bench: loadgen ($label) failed (errors on the wire)" >&2
        exit 1
    }
    echo "$line" >>"$out"
}

start_awslet data
start_ceiling

ddb CreateTable '{"TableName":"kvs","BillingMode":"PAY_PER_REQUEST",
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}' >/dev/null
ddb CreateTable '{"TableName":"part","BillingMode":"PAY_PER_REQUEST",
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]}' >/dev/null

printf '{"TableName":"kvs","Item":{"pk":{"S":"k-RANDKEY00000"},"n":{"N":"42"},"payload":{"S":"%s"}}}' \
    "$PAYLOAD" >"$TMP/put"
printf '{"TableName":"kvs","Key":{"pk":{"S":"k-RANDKEY00000"}}}' >"$TMP/get"
printf '{"TableName":"part","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p1"}}}' \
    >"$TMP/query"

# The partition Query reads: 100 items of 1 KB, 4 BatchWriteItem calls of 25.
for ((b = 0; b < 4; b++)); do
    reqs=
    for ((i = 0; i < 25; i++)); do
        [[ -n $reqs ]] && reqs+=,
        reqs+=$(printf '{"PutRequest":{"Item":{"pk":{"S":"p1"},"sk":{"N":"%d"},"payload":{"S":"%s"}}}}' \
            $((b * 25 + i)) "$PAYLOAD")
    done
    ddb BatchWriteItem "{\"RequestItems\":{\"part\":[$reqs]}}" >/dev/null
done
count=$(ddb Query "$(cat "$TMP/query")" | field Count)
[[ $count == 100 ]] || { echo "bench: the partition Query answered $count items, not 100" >&2; exit 1; }
ddb PutItem "$(sed 's/RANDKEY00000/000000000001/' "$TMP/put")" >/dev/null
ddb GetItem "$(sed 's/RANDKEY00000/000000000001/' "$TMP/get")" | grep -q '"payload"' || {
    echo "bench: GetItem does not return the item just put" >&2
    exit 1
}

for op in put get query; do
    : >"$TMP/$op-awslet.jsonl"
    : >"$TMP/$op-ceiling.jsonl"
done
# The put rounds come first so that the get rounds find (nearly) every key present.
for op in put get query; do
    target_op=PutItem
    [[ $op == get ]] && target_op=GetItem
    [[ $op == query ]] && target_op=Query
    for ((r = 1; r <= ROUNDS; r++)); do
        for target in awslet ceiling; do
            port=$A_PORT
            [[ $target == ceiling ]] && port=$C_PORT
            log "$target_op round $r/$ROUNDS: $target, $CONNS connections, ${WARMUP}s + ${DURATION}s"
            if [[ $op == query ]]; then
                load "$target_op" "$TMP/$op" "$port" "$target" "$TMP/$op-$target.jsonl"
            else
                load "$target_op" "$TMP/$op" "$port" "$target" "$TMP/$op-$target.jsonl" \
                    --random-keys "$KEYS"
            fi
        done
    done
done
items=$(ddb DescribeTable '{"TableName":"kvs"}' | field ItemCount)

MHD=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo "?")
SQLITE=$(pkg-config --modversion sqlite3 2>/dev/null || echo "?")
{
    echo "### awslet DynamoDB benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    machine
    echo "libmicrohttpd $MHD, SQLite $SQLITE; awslet (file store, --log-level warn) and ceiling with"
    echo "$THREADS threads; loadgen 1 thread, $CONNS keep-alive connections; items of about 1 KB,"
    echo "random keys among $KEYS ($items items in the table at the end);"
    load_average
    echo
    echo "| median of $ROUNDS × ${DURATION}s | awslet | ceiling | awslet/ceiling | target | met |"
    echo "|---|---:|---:|---:|---|---|"
    for op in put get; do
        name=PutItem min=12000
        [[ $op == get ]] && name=GetItem min=20000
        a_rps=$(med "$op-awslet" rps) c_rps=$(med "$op-ceiling" rps)
        a50=$(med "$op-awslet" p50_ms) c50=$(med "$op-ceiling" p50_ms)
        a99=$(med "$op-awslet" p99_ms) c99=$(med "$op-ceiling" p99_ms)
        echo "| $name: operations/s | $(fmt "$a_rps" 0) | $(fmt "$c_rps" 0) | $(ratio "$a_rps" "$c_rps") |" \
            "≥ $min | $(yes_no "$a_rps >= $min") |"
        echo "| $name: p50 latency, ms | $(fmt "$a50" 3) | $(fmt "$c50" 3) | $(ratio "$a50" "$c50") | < 2 ms |" \
            "$(yes_no "$a50 < 2") |"
        echo "| $name: p99 latency, ms | $(fmt "$a99" 3) | $(fmt "$c99" 3) | $(ratio "$a99" "$c99") | ≤ 2× ceiling |" \
            "$(yes_no "$a99 <= 2 * $c99") |"
    done
    a_rps=$(med query-awslet rps) c_rps=$(med query-ceiling rps)
    echo "| Query, 100 items of 1 KB: queries/s | $(fmt "$a_rps" 0) | $(fmt "$c_rps" 0) | $(ratio "$a_rps" "$c_rps") |" \
        "≥ 2000 | $(yes_no "$a_rps >= 2000") |"
    echo "| Query: p50 / p99 latency, ms | $(fmt "$(med query-awslet p50_ms)" 3) / $(fmt "$(med query-awslet p99_ms)" 3) |" \
        "$(fmt "$(med query-ceiling p50_ms)" 3) / $(fmt "$(med query-ceiling p99_ms)" 3) | | | |"
    echo
    echo "Per-round operations/s — PutItem awslet: $(per_round put-awslet); ceiling: $(per_round put-ceiling);"
    echo "GetItem awslet: $(per_round get-awslet); ceiling: $(per_round get-ceiling);"
    echo "Query awslet: $(per_round query-awslet); ceiling: $(per_round query-ceiling)."
} | tee "$BUILD/ddb-results.md"
