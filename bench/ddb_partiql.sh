#!/usr/bin/env bash
# bench/ddb_partiql.sh: what PartiQL costs over the plain DynamoDB operations, in the same
# run against the same daemon (docs/benchmarks.md, "DynamoDB PartiQL").
#
#   1. reads: GetItem vs ExecuteStatement `SELECT * FROM "kvs" WHERE pk = ?` (Parameters) on a
#      hash-key-only table preloaded with BENCH_KEYS items, random keys among those (every one
#      present); alternating plain / PartiQL, A B B A ..., BENCH_ROUNDS rounds of each.
#   2. writes: PutItem vs ExecuteStatement `INSERT INTO "ins" VALUE {'pk': ?, 'n': ?, 'payload': ?}`
#      into two empty tables of the same shape, on random keys among 10^12 so that every
#      request writes a fresh key (an INSERT of an existing key fails), alternating likewise.
#
# Items carry BENCH_PAYLOAD bytes of payload (1000, about 1 KB as in bench/ddb.sh). Before any
# timing, each request is sent once and its answer checked (the same item back from GetItem
# and SELECT, the INSERTed item readable); every round must end with no non-2xx answer. The
# target is PartiQL within 15 % of its plain equivalent. BENCH_PARTIQL=0 runs the plain half
# alone (a baseline, and a check of the script where ExecuteStatement is not available).
# Prints a markdown table (also saved to $BUILD/ddb-partiql-results.md). About 2 minutes
# with the defaults, plus the build. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${AWSLET_BENCH_BUILD:-build-bench}
ROUNDS=${BENCH_ROUNDS:-5}
DURATION=${BENCH_DURATION:-3}
WARMUP=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNS:-64}
KEYS=${BENCH_KEYS:-10000}
PAYLOAD_BYTES=${BENCH_PAYLOAD:-1000}
PARTIQL=${BENCH_PARTIQL:-1}
THREADS=${BENCH_THREADS:-$(n=$(nproc); ((n < 2)) && n=2; echo "$n")}
# Write keys are drawn among 10^12 (all the marker's 12 digits). A run's INSERT rounds send
# about n = 2*10^5 of them, so the chance that two share a key is about n^2 / 2 / 10^12 = 2 %;
# such a run stops at the duplicate's 400 (then run it again).
WRITE_KEYS=1000000000000
PAYLOAD=$(head -c "$PAYLOAD_BYTES" /dev/zero | tr '\0' x)

# shellcheck source=bench/lib.sh
. bench/lib.sh

build_release
scratch_dir awslet-pqbench

# ddb OP BODY: one DynamoDB call to awslet; prints the answer; on non-200 fails, with the
# answer on stdout and stderr.
ddb() {
    local ans
    ans=$(curl -sS --fail-with-body -m 30 -X POST -H "X-Amz-Target: DynamoDB_20120810.$1" \
        -H 'Content-Type: application/x-amz-json-1.0' -d "$2" "http://127.0.0.1:$A_PORT/") || {
        echo "bench: $1 answered: $ans" >&2
        echo "$ans"
        return 1
    }
    echo "$ans"
}
# ddb_file OP FILE [KEY]: ddb with the body in FILE, RANDKEY00000 replaced by KEY.
ddb_file() { ddb "$1" "$(sed "s/RANDKEY00000/${3:-000000000007}/g" "$2")"; }
# count TABLE: the items in TABLE, by Scan with Select=COUNT page after page (a page stops
# after 1 MB read).
count() {
    local ans last=null n=0
    while :; do
        ans=$(ddb Scan "$(jq -cn --arg t "$1" --argjson k "$last" \
            '{TableName: $t, Select: "COUNT"} + if $k then {ExclusiveStartKey: $k} else {} end')")
        n=$((n + $(jq .Count <<<"$ans")))
        last=$(jq -c '.LastEvaluatedKey // null' <<<"$ans")
        [[ $last == null ]] && break
    done
    echo "$n"
}
fail() {
    echo "bench: $*" >&2
    exit 1
}

# round NAME OP BODYFILE NKEYS: one loadgen round against awslet; its JSON line is appended
# to $TMP/NAME.jsonl and the server CPU per request to $TMP/NAME.cpu. Any non-2xx answer in
# the measured part fails the run: a failed INSERT is cheaper than a write.
round() {
    local name=$1 op=$2 body=$3 nkeys=$4 t0 t1 line
    log "$name, $CONNS connections, ${WARMUP}s + ${DURATION}s"
    t0=$(cpu_ticks "$A_PID")
    line=$("$LOADGEN" -p "$A_PORT" -c "$CONNS" -d "$DURATION" -w "$WARMUP" -m POST -u / \
        -H "X-Amz-Target: DynamoDB_20120810.$op" -H 'Content-Type: application/x-amz-json-1.0' \
        -b "@$body" --random-keys "$nkeys" --json --label "$name" | tee /dev/stderr |
        json_line) || fail "loadgen ($name) failed (errors on the wire)"
    t1=$(cpu_ticks "$A_PID")
    [[ $(field non2xx <<<"$line") == 0 ]] || fail "$name: $(field non2xx <<<"$line") non-2xx answers"
    echo "$line" >>"$TMP/$name.jsonl"
    cpu_per_request "$t0" "$t1" "$line" >>"$TMP/$name.cpu"
}

# pair PLAIN PARTIQL PLAIN_OP BODY PARTIQL_BODY NKEYS: ROUNDS rounds of each, A B B A A B ...
# so that neither side always runs right after the other's writes or checkpoints.
pair() {
    local r first second
    : >"$TMP/$1.jsonl"; : >"$TMP/$1.cpu"; : >"$TMP/$2.jsonl"; : >"$TMP/$2.cpu"
    for ((r = 1; r <= ROUNDS; r++)); do
        first=plain second=partiql
        ((r % 2 == 0)) && first=partiql second=plain
        for side in $first $second; do
            if [[ $side == plain ]]; then
                round "$1" "$3" "$4" "$6"
            elif ((PARTIQL)); then
                round "$2" ExecuteStatement "$5" "$6"
            fi
        done
    done
}

start_awslet data

for t in kvs put ins; do
    ddb CreateTable "{\"TableName\":\"$t\",\"BillingMode\":\"PAY_PER_REQUEST\",
      \"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}],
      \"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"}]}" >/dev/null
done

# The request bodies; k-RANDKEY00000 becomes k-<12 digits> per request.
printf '{"TableName":"kvs","Key":{"pk":{"S":"k-RANDKEY00000"}}}' >"$TMP/get"
printf '{"Statement":"SELECT * FROM \\"kvs\\" WHERE pk = ?","Parameters":[{"S":"k-RANDKEY00000"}]}' \
    >"$TMP/select"
printf '{"TableName":"put","Item":{"pk":{"S":"k-RANDKEY00000"},"n":{"N":"42"},"payload":{"S":"%s"}}}' \
    "$PAYLOAD" >"$TMP/put"
printf '{"Statement":"INSERT INTO \\"ins\\" VALUE {'"'pk'"': ?, '"'n'"': ?, '"'payload'"': ?}","Parameters":[{"S":"k-RANDKEY00000"},{"N":"42"},{"S":"%s"}]}' \
    "$PAYLOAD" >"$TMP/insert"

# The read table: KEYS items k-000000000000 ... in BatchWriteItem calls of 25, sent by one curl
# over one keep-alive connection (a curl per call would take longer than the rounds).
log "loading $KEYS items into kvs"
mkdir "$TMP/load"
: >"$TMP/load/curl.cfg"
for ((b = 0; b < KEYS; b += 25)); do
    reqs=
    for ((i = b; i < b + 25 && i < KEYS; i++)); do
        printf -v item '{"PutRequest":{"Item":{"pk":{"S":"k-%012d"},"n":{"N":"42"},"payload":{"S":"%s"}}}}' \
            "$i" "$PAYLOAD"
        reqs+=${reqs:+,}$item
    done
    printf '{"RequestItems":{"kvs":[%s]}}' "$reqs" >"$TMP/load/$b.req"
    {
        printf 'next\nurl = "http://127.0.0.1:%s/"\nrequest = "POST"\n' "$A_PORT"
        printf 'data-binary = "@%s"\noutput = "%s"\n' "$TMP/load/$b.req" "$TMP/load/$b.ans"
        printf 'header = "X-Amz-Target: DynamoDB_20120810.BatchWriteItem"\n'
        printf 'header = "Content-Type: application/x-amz-json-1.0"\n'
        printf 'write-out = "%%{http_code}\\n"\n'
    } >>"$TMP/load/curl.cfg"
done
codes=$(sed 1d "$TMP/load/curl.cfg" | curl -sS -m 600 -K - | sort | uniq -c | paste -sd ' ')
[[ $codes =~ ^\ *[0-9]+\ 200$ ]] || fail "BatchWriteItem answered HTTP $codes"
jq -se 'all((.UnprocessedItems // {}) == {})' "$TMP"/load/*.ans >/dev/null ||
    fail "BatchWriteItem left items unprocessed"
n=$(count kvs)
[[ $n == "$KEYS" ]] || fail "kvs holds $n items, not $KEYS"

# Check every request once before timing it: successes, and the answers they should be.
want=$(jq -cS '{pk: {S: "k-000000000007"}, n: {N: "42"}, payload: {S: $p}}' --arg p "$PAYLOAD" <<<null)
got=$(ddb_file GetItem "$TMP/get" | jq -cS .Item)
[[ $got == "$want" ]] || fail "GetItem answered $got"
ddb_file PutItem "$TMP/put" 999999999999 >/dev/null || fail "PutItem failed"
got=$(ddb GetItem '{"TableName":"put","Key":{"pk":{"S":"k-999999999999"}}}' | jq -cS .Item.payload.S)
[[ $got == "\"$PAYLOAD\"" ]] || fail "the PutItem item does not read back"
if ((PARTIQL)); then
    ans=$(ddb_file ExecuteStatement "$TMP/select") || fail "ExecuteStatement SELECT failed: $ans"
    got=$(jq -cS '.Items | length, .[0]' <<<"$ans" | paste -sd ' ')
    [[ $got == "1 $want" ]] || fail "SELECT answered $ans"
    ans=$(ddb_file ExecuteStatement "$TMP/insert" 999999999999) || fail "ExecuteStatement INSERT failed: $ans"
    got=$(ddb GetItem '{"TableName":"ins","Key":{"pk":{"S":"k-999999999999"}}}' | jq -cS .Item.payload.S)
    [[ $got == "\"$PAYLOAD\"" ]] || fail "the INSERTed item does not read back ($ans)"
    # The premise of the write rounds: INSERT refuses an existing key, so keys must be fresh.
    if ans=$(ddb_file ExecuteStatement "$TMP/insert" 999999999999 2>/dev/null); then
        fail "a second INSERT of the same key succeeded: $ans"
    fi
fi

# Reads first (on a table that no write round has touched yet), then writes.
pair get select GetItem "$TMP/get" "$TMP/select" "$KEYS"
pair put insert PutItem "$TMP/put" "$TMP/insert" "$WRITE_KEYS"
n_put=$(count put)
n_ins=$(count ins)

# ---- report ---------------------------------------------------------------------------------
# pair_ratios A B FIELD: FIELD of B / FIELD of A, round by round (rounds r of A and B ran
# next to each other), one a line.
pair_ratios() {
    paste <(field "$3" <"$TMP/$1.jsonl") <(field "$3" <"$TMP/$2.jsonl") |
        awk '$1 > 0 && NF == 2 { printf "%.3f\n", $2 / $1 }'
}
# met RATIO OP LIMIT: yes if RATIO is a number and RATIO OP LIMIT (OP: >= or <=).
met() {
    awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { if (v !~ /^[0-9.]+$/) { print "n/a"; exit }
        ok = op == ">=" ? v + 0 >= l : v + 0 <= l; print ok ? "yes" : "**no**" }'
}
# answered NAME: the requests loadgen saw answered over NAME's rounds, warm-ups included.
answered() { sed 's/.*"requests":\([0-9]*\).*"warmup_requests":\([0-9]*\).*/\1 \2/' "$TMP/$1.jsonl" |
    awk '{ s += $1 + $2 } END { print s + 0 }'; }

# The tree measured: its commit, and whether src/ had changes not yet committed.
TREE=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD -- src 2>/dev/null || TREE+=" + uncommitted changes in src/"
MHD=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo "?")
SQLITE=$(pkg-config --modversion sqlite3 2>/dev/null || echo "?")
{
    echo "### awslet DynamoDB PartiQL benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    machine
    echo "commit $TREE; libmicrohttpd $MHD, SQLite $SQLITE;"
    echo "awslet (file store, --log-level warn) with $THREADS threads; loadgen 1 thread, $CONNS"
    echo "keep-alive connections; items of $PAYLOAD_BYTES bytes of payload + pk + n; reads among $KEYS"
    echo "preloaded keys; items in the write tables at the end: PutItem $n_put, INSERT $n_ins"
    echo "(loadgen counted $(answered put) and $(answered insert) answers, warm-ups included; 1 more"
    echo "item each from the checks, up to $CONNS per round in flight at a round's end);"
    load_average
    echo
    echo "| median of $ROUNDS × ${DURATION}s | plain | PartiQL | PartiQL/plain | median of round ratios | target | met |"
    echo "|---|---:|---:|---:|---:|---|---|"
    for p in "get select GetItem SELECT" "put insert PutItem INSERT"; do
        read -r a b an bn <<<"$p"
        a_rps=$(med "$a" rps) b_rps=$(med "$b" rps)
        r_rps=$(ratio "$b_rps" "$a_rps")
        rr=$(pair_ratios "$a" "$b" rps | median)
        echo "| $an vs $bn: operations/s | $(fmt "$a_rps" 0) | $(fmt "$b_rps" 0) | $r_rps |" \
            "$(fmt "$rr" 2) | ≥ 0.85 | $(met "$r_rps" ">=" 0.85) |"
        for q in p50 p99; do
            a_q=$(med "$a" "${q}_ms") b_q=$(med "$b" "${q}_ms")
            echo "| $an vs $bn: $q latency, ms | $(fmt "$a_q" 3) | $(fmt "$b_q" 3) |" \
                "$(ratio "$b_q" "$a_q") | $(fmt "$(pair_ratios "$a" "$b" "${q}_ms" | median)" 2) | | |"
        done
        a_cpu=$(median <"$TMP/$a.cpu") b_cpu=$(median <"$TMP/$b.cpu")
        echo "| $an vs $bn: server CPU per request, µs | $(fmt "$a_cpu" 1) | $(fmt "$b_cpu" 1) |" \
            "$(ratio "$b_cpu" "$a_cpu") | $(fmt "$(paste "$TMP/$a.cpu" "$TMP/$b.cpu" |
                awk '$1 > 0 && NF == 2 { printf "%.3f\n", $2 / $1 }' | median)" 2) | ≤ 1.15 |" \
            "$(met "$(ratio "$b_cpu" "$a_cpu")" "<=" 1.15) |"
    done
    echo
    echo "Per-round operations/s — GetItem: $(per_round get); SELECT: $(per_round select);"
    echo "PutItem: $(per_round put); INSERT: $(per_round insert)."
} | tee "$BUILD/ddb-partiql-results.md"
