#!/usr/bin/env bash
# bench/sqs.sh: the SQS benchmarks of docs/benchmarks.md ("SQS"), on a file store.
#
#   1. SendMessage, 100-byte body, BENCH_CONNS keep-alive connections, AWS JSON 1.0 and query
#      protocol: awslet and the ceiling server alternating A B A B ... for BENCH_ROUNDS rounds
#      per protocol (a fresh queue for every awslet round, deleted after it), then the
#      medians and ratios; then SendMessageBatch of 10 entries in both protocols
#      (BENCH_BATCH_ROUNDS rounds, messages/s = requests/s x 10). bench/loadgen.
#   2. send -> receive -> delete cycle: 4 producers, 4 consumers, BENCH_CYCLE_MESSAGES
#      messages, every MessageId accounted for and the queue empty at the end. bench/sqs_cycle.
#   3. BENCH_POLLS long polls (WaitTimeSeconds 20) on an empty queue, then as many sends:
#      time until all are answered, the daemon's threads and RSS while they wait; against a
#      daemon of its own started for it (so its memory is not the other runs' caches).
#      bench/sqs_longpoll.
#
# awslet runs with --log-level warn and a file store (every acknowledged message committed).
# BENCH_PERF=1 also records a perf profile of awslet during one JSON SendMessage round
# ($BUILD/sqs-perf.txt flat, sqs-perf-callers.txt with call chains). Prints a markdown table (also saved to $BUILD/sqs-results.md).
# Bounded: about 2.5 minutes with the defaults, plus the build. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${AWSLET_BENCH_BUILD:-build-bench}
ROUNDS=${BENCH_ROUNDS:-5}
BATCH_ROUNDS=${BENCH_BATCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-3}
WARMUP=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNS:-64}
CYCLE_MESSAGES=${BENCH_CYCLE_MESSAGES:-200000}
POLLS=${BENCH_POLLS:-1000}
PERF=${BENCH_PERF:-0}
THREADS=${BENCH_THREADS:-$(n=$(nproc); ((n < 2)) && n=2; echo "$n")}
BODY=$(printf 'x%.0s' {1..100}) # the 100-byte message body

# shellcheck source=bench/lib.sh
. bench/lib.sh

# 1000 polls are 1000 descriptors in the daemon and in the client.
HARD_NOFILE=$(ulimit -Hn)
if [[ $HARD_NOFILE != unlimited ]] && ((HARD_NOFILE < POLLS + 256)); then
    echo "bench: the hard descriptor limit ($(ulimit -Hn)) is too low for $POLLS polls" >&2
    exit 1
fi
SOFT_NOFILE=$(ulimit -n)
if [[ $SOFT_NOFILE != unlimited ]] && ((SOFT_NOFILE < POLLS + 256)); then
    ulimit -n $((POLLS + 256))
fi

build_release
CYCLE=$BUILD/bench/sqs_cycle
LONGPOLL=$BUILD/bench/sqs_longpoll
scratch_dir awslet-sqsbench

# yes_no EXPR: "yes" when the awk condition holds.
yes_no() { awk "BEGIN { print ($1) ? \"yes\" : \"**no**\" }"; }

# sqs_json OP BODY: one AWS JSON 1.0 call to awslet; prints the answer, fails on non-200.
sqs_json() {
    curl -sS --fail-with-body -m 30 -X POST -H "X-Amz-Target: AmazonSQS.$1" \
        -H 'Content-Type: application/x-amz-json-1.0' -d "$2" "http://127.0.0.1:$A_PORT/"
}
urlenc() { sed -e 's/%/%25/g' -e 's/:/%3A/g' -e 's,/,%2F,g'; }

# request_body PROTO OP URL: the body of a SendMessage or SendMessageBatch (10 entries).
request_body() {
    local proto=$1 op=$2 url=$3 i
    if [[ $proto == json && $op == SendMessage ]]; then
        printf '{"QueueUrl":"%s","MessageBody":"%s"}' "$url" "$BODY"
    elif [[ $proto == json ]]; then
        printf '{"QueueUrl":"%s","Entries":[' "$url"
        for ((i = 0; i < 10; i++)); do
            ((i == 0)) || printf ','
            printf '{"Id":"%d","MessageBody":"%s"}' "$i" "$BODY"
        done
        printf ']}'
    elif [[ $op == SendMessage ]]; then
        printf 'Action=SendMessage&Version=2012-11-05&QueueUrl=%s&MessageBody=%s' \
            "$(urlenc <<<"$url")" "$BODY"
    else
        printf 'Action=SendMessageBatch&Version=2012-11-05&QueueUrl=%s' "$(urlenc <<<"$url")"
        for ((i = 1; i <= 10; i++)); do
            printf '&SendMessageBatchRequestEntry.%d.Id=%d&SendMessageBatchRequestEntry.%d.MessageBody=%s' \
                "$i" "$i" "$i" "$BODY"
        done
    fi
}

# load PROTO OP PORT URL LABEL OUT: one loadgen round, its JSON line appended to OUT.
load() {
    local proto=$1 op=$2 port=$3 url=$4 label=$5 out=$6 line
    local -a hdr=(-H 'Content-Type: application/x-www-form-urlencoded')
    [[ $proto == json ]] && hdr=(-H "X-Amz-Target: AmazonSQS.$op" -H 'Content-Type: application/x-amz-json-1.0')
    request_body "$proto" "$op" "$url" >"$TMP/body"
    line=$("$LOADGEN" -p "$port" -c "$CONNS" -d "$DURATION" -w "$WARMUP" -m POST -u / "${hdr[@]}" \
        -b "@$TMP/body" --json --label "$label" | tee /dev/stderr | json_line) || {
        echo "bench: loadgen ($label) failed (errors on the wire)" >&2
        exit 1
    }
    echo "$line" >>"$out"
}

# new_queue NAME: create it on awslet; prints its URL.
new_queue() { sqs_json CreateQueue "{\"QueueName\":\"$1\"}" | sed -n 's/.*"QueueUrl":"\([^"]*\)".*/\1/p'; }

# check_answer PROTO OP URL: one request by hand; it must succeed with no failed entry.
check_answer() {
    local ans
    local -a hdr=(-H 'Content-Type: application/x-www-form-urlencoded')
    [[ $1 == json ]] && hdr=(-H "X-Amz-Target: AmazonSQS.$2" -H 'Content-Type: application/x-amz-json-1.0')
    ans=$(curl -sS --fail-with-body -m 10 -X POST "${hdr[@]}" --data-binary "$(request_body "$1" "$2" "$3")" \
        "http://127.0.0.1:$A_PORT/") || { echo "bench: $1 $2 refused: $ans" >&2; exit 1; }
    if grep -q -e '"Failed":\[{' -e 'BatchResultErrorEntry' <<<"$ans" || ! grep -q MessageId <<<"$ans"; then
        echo "bench: $1 $2 answered: $ans" >&2
        exit 1
    fi
}

# ---- 3 first: long polls against a daemon of their own ---------------------------------------
start_awslet lp
log "long polls: $POLLS polls on an empty queue, then $POLLS sends (daemon pid $A_PID)"
LP=$("$LONGPOLL" -p "$A_PORT" --polls "$POLLS" --pid "$A_PID" --json | tee /dev/stderr | json_line) || {
    echo "bench: the long-poll run failed" >&2
    exit 1
}
LP_IDLE_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$A_PID/status")
kill -TERM "$A_PID"
wait "$A_PID" || true

# ---- 1. SendMessage and SendMessageBatch --------------------------------------------------------
start_awslet data
start_ceiling

for proto in json query; do
    for op in SendMessage SendMessageBatch; do
        url=$(new_queue "check-$proto-$op")
        check_answer "$proto" "$op" "$url"
    done
done

for proto in json query; do
    : >"$TMP/$proto-awslet.jsonl"
    : >"$TMP/$proto-ceiling.jsonl"
    : >"$TMP/$proto-awslet.cpu"
    : >"$TMP/$proto-ceiling.cpu"
    for ((r = 1; r <= ROUNDS; r++)); do
        for target in awslet ceiling; do
            port=$A_PORT pid=$A_PID
            [[ $target == ceiling ]] && port=$C_PORT pid=$C_PID
            url=http://127.0.0.1:$A_PORT/000000000000/send-$proto-$r
            [[ $target == awslet ]] && url=$(new_queue "send-$proto-$r")
            log "SendMessage $proto round $r/$ROUNDS: $target, $CONNS connections, ${WARMUP}s + ${DURATION}s"
            if [[ $PERF == 1 && $proto == json && $target == awslet && $r == 2 ]]; then
                perf record -g -o "$TMP/perf.data" -p "$A_PID" -- sleep $((WARMUP + DURATION)) \
                    2>"$TMP/perf.log" >&2 &
                PERF_PID=$!
            fi
            t0=$(cpu_ticks "$pid")
            load "$proto" SendMessage "$port" "$url" "$target" "$TMP/$proto-$target.jsonl"
            t1=$(cpu_ticks "$pid")
            cpu_per_request "$t0" "$t1" "$(tail -n 1 "$TMP/$proto-$target.jsonl")" \
                >>"$TMP/$proto-$target.cpu"
            if [[ -n ${PERF_PID:-} ]]; then
                wait "$PERF_PID" || true
                PERF_PID=
                perf report -i "$TMP/perf.data" --no-children --sort symbol --stdio -g none \
                    2>/dev/null | grep '%' | head -n 60 >"$BUILD/sqs-perf.txt" || true
                perf report -i "$TMP/perf.data" --no-children --sort symbol --stdio -g caller \
                    2>/dev/null | grep -v '^$' | head -n 400 >"$BUILD/sqs-perf-callers.txt" || true
                log "perf profile in $BUILD/sqs-perf.txt and $BUILD/sqs-perf-callers.txt"
            fi
            # Keep the store one round's size: drop the queue (and its messages) now.
            [[ $target == awslet ]] && sqs_json DeleteQueue "{\"QueueUrl\":\"$url\"}" >/dev/null
        done
    done
    : >"$TMP/$proto-batch.jsonl"
    for ((r = 1; r <= BATCH_ROUNDS; r++)); do
        url=$(new_queue "batch-$proto-$r")
        log "SendMessageBatch $proto round $r/$BATCH_ROUNDS: awslet, $CONNS connections"
        load "$proto" SendMessageBatch "$A_PORT" "$url" awslet "$TMP/$proto-batch.jsonl"
        sqs_json DeleteQueue "{\"QueueUrl\":\"$url\"}" >/dev/null
    done
done

# ---- 2. the cycle -----------------------------------------------------------------------------
log "cycle: $CYCLE_MESSAGES messages, 4 producers, 4 consumers"
CY=$("$CYCLE" -p "$A_PORT" -n "$CYCLE_MESSAGES" --producers 4 --consumers 4 --max-time 120 --json |
    tee /dev/stderr | json_line) || {
    echo "bench: the cycle failed" >&2
    exit 1
}

# ---- report ---------------------------------------------------------------------------------
MHD=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo "?")
SQLITE=$(pkg-config --modversion sqlite3 2>/dev/null || echo "?")

{
    echo "### awslet SQS benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    machine
    echo "libmicrohttpd $MHD, SQLite $SQLITE; awslet (file store, --log-level warn) and ceiling with"
    echo "$THREADS threads; loadgen 1 thread, $CONNS keep-alive connections, 100-byte bodies;"
    load_average
    echo
    echo "| SendMessage, median of $ROUNDS × ${DURATION}s | awslet | ceiling | awslet/ceiling | target | met |"
    echo "|---|---:|---:|---:|---|---|"
    for proto in json query; do
        name="JSON 1.0"
        [[ $proto == query ]] && name=query
        a_rps=$(med "$proto-awslet" rps) c_rps=$(med "$proto-ceiling" rps)
        a50=$(med "$proto-awslet" p50_ms) c50=$(med "$proto-ceiling" p50_ms)
        a99=$(med "$proto-awslet" p99_ms) c99=$(med "$proto-ceiling" p99_ms)
        a_cpu=$(median <"$TMP/$proto-awslet.cpu") c_cpu=$(median <"$TMP/$proto-ceiling.cpu")
        echo "| $name: messages/s | $(fmt "$a_rps" 0) | $(fmt "$c_rps" 0) | $(ratio "$a_rps" "$c_rps") |" \
            "≥ 20000 and ≥ 0.40 | $(yes_no "$a_rps >= 20000 && $a_rps >= 0.4 * $c_rps") |"
        echo "| $name: p50 latency, ms | $(fmt "$a50" 3) | $(fmt "$c50" 3) | $(ratio "$a50" "$c50") | < 2 ms |" \
            "$(yes_no "$a50 < 2") |"
        echo "| $name: p99 latency, ms | $(fmt "$a99" 3) | $(fmt "$c99" 3) | $(ratio "$a99" "$c99") | ≤ 2× ceiling |" \
            "$(yes_no "$a99 <= 2 * $c99") |"
        echo "| $name: server CPU per request, µs | $(fmt "$a_cpu" 1) | $(fmt "$c_cpu" 1) | $(ratio "$a_cpu" "$c_cpu") | | |"
    done
    echo
    echo "| SendMessageBatch (10 × 100 B), median of $BATCH_ROUNDS × ${DURATION}s | messages/s | requests/s | p50, ms | p99, ms | target | met |"
    echo "|---|---:|---:|---:|---:|---|---|"
    for proto in json query; do
        name="JSON 1.0"
        [[ $proto == query ]] && name=query
        b_rps=$(med "$proto-batch" rps)
        echo "| $name | $(fmt "$(awk -v r="$b_rps" 'BEGIN { print r * 10 }')" 0) | $(fmt "$b_rps" 0) |" \
            "$(fmt "$(med "$proto-batch" p50_ms)" 3) | $(fmt "$(med "$proto-batch" p99_ms)" 3) | ≥ 100000 msg/s |" \
            "$(yes_no "$b_rps * 10 >= 100000") |"
    done
    echo
    echo "| Send → receive → delete, 4 producers + 4 consumers, JSON 1.0 | figure | target | met |"
    echo "|---|---:|---|---|"
    echo "| messages/s end to end ($(field messages <<<"$CY") messages, $(fmt "$(field seconds <<<"$CY")" 1) s) |" \
        "$(fmt "$(field msgs_per_s <<<"$CY")" 0) | ≥ 8000 | $(yes_no "$(field msgs_per_s <<<"$CY") >= 8000") |"
    echo "| sent / received (distinct) / deleted | $(field sent <<<"$CY") / $(field received_distinct <<<"$CY") /" \
        "$(field deleted <<<"$CY") | all | $(yes_no "$(field pass <<<"$CY") == 1") |"
    echo "| lost, unknown, received twice | $(field lost <<<"$CY"), $(field unknown <<<"$CY"), $(field received_again <<<"$CY") | 0 lost | |"
    echo "| queue at the end: visible + not visible + delayed | $(($(field visible_end <<<"$CY") + $(field not_visible_end <<<"$CY") + $(field delayed_end <<<"$CY"))) | 0 | |"
    echo
    echo "| $POLLS long polls (WaitTimeSeconds 20) on an empty queue, then $POLLS sends | figure | target | met |"
    echo "|---|---:|---|---|"
    echo "| first send → all polls answered with a message, ms | $(fmt "$(field all_ms <<<"$LP")" 1) | ≤ 500 ms |" \
        "$(yes_no "$(field all_ms <<<"$LP") <= 500 && $(field with_message <<<"$LP") == $POLLS") |"
    echo "| … of which the $POLLS sends themselves (8 connections), ms | $(fmt "$(field sends_ms <<<"$LP")" 1) | | |"
    echo "| last send acknowledged → last poll answered, ms | $(fmt "$(field after_sends_ms <<<"$LP")" 1) | | |"
    echo "| polls answered with a message / empty before their wait ended | $(field with_message <<<"$LP") /" \
        "$(field empty_early <<<"$LP") | $POLLS / 0 | $(yes_no "$(field pass <<<"$LP") == 1") |"
    echo "| daemon threads while the polls wait | $(field threads <<<"$LP") | ≤ 16 | $(yes_no "$(field threads <<<"$LP") <= 16") |"
    echo "| daemon VmRSS while the polls wait, MB | $(fmt "$(awk -v k="$(field rss_kb <<<"$LP")" 'BEGIN { print k / 1024 }')" 1) |" \
        "< 48 MB | $(yes_no "$(field rss_kb <<<"$LP") < 48 * 1024") |"
    echo "| daemon VmRSS / VmHWM after the answers, MB | $(fmt "$(awk -v k="$LP_IDLE_KB" 'BEGIN { print k / 1024 }')" 1) /" \
        "$(fmt "$(awk -v k="$(field hwm_after_kb <<<"$LP")" 'BEGIN { print k / 1024 }')" 1) | | |"
    echo
    echo "Per-round SendMessage/s — JSON awslet: $(per_round json-awslet); ceiling: $(per_round json-ceiling);"
    echo "query awslet: $(per_round query-awslet); ceiling: $(per_round query-ceiling)."
    echo "Per-round SendMessageBatch messages/s — JSON: $(per_round json-batch 10); query: $(per_round query-batch 10)."
} | tee "$BUILD/sqs-results.md"
