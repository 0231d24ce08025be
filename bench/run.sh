#!/usr/bin/env bash
# bench/run.sh: build a Release tree and measure awslet on this machine.
#
#   1. startup: exec -> first served GET /_awslet/health, file store and --in-memory
#      (bench/startup.c; min/median/max over BENCH_STARTUP_RUNS runs), idle RSS, stop time
#   2. throughput: GET /_awslet/health over BENCH_CONNS keep-alive connections against awslet
#      and against the ceiling server (bench/ceiling.c: bare libmicrohttpd, same flags and
#      thread count), alternating A B A B ... for BENCH_ROUNDS rounds in the same run, then
#      the medians and the awslet/ceiling ratios
#
# Prints a markdown table with the machine it ran on (also saved to $BUILD/bench-results.md).
# Bounded: about 80 s with the defaults (plus the build). Never part of the test suite. See
# docs/benchmarks.md for what each figure means.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${AWSLET_BENCH_BUILD:-build-bench}
ROUNDS=${BENCH_ROUNDS:-8}
DURATION=${BENCH_DURATION:-3}
WARMUP=${BENCH_WARMUP:-1}
CONNS=${BENCH_CONNS:-64}
STARTUP_RUNS=${BENCH_STARTUP_RUNS:-20}
THREADS=${BENCH_THREADS:-$(n=$(nproc); ((n < 2)) && n=2; echo "$n")}

# shellcheck source=bench/lib.sh
. bench/lib.sh
build_release
STARTUP=$BUILD/bench/startup
scratch_dir awslet-bench

# ---- 1. startup, idle memory, stop ----------------------------------------------------------
log "startup: $STARTUP_RUNS runs with a file store, $STARTUP_RUNS with --in-memory"
S_FILE=$("$STARTUP" --awslet "$AWSLET" --runs "$STARTUP_RUNS" --json --label file | tee /dev/stderr | json_line)
S_MEM=$("$STARTUP" --awslet "$AWSLET" --runs "$STARTUP_RUNS" --in-memory --json --label in-memory | tee /dev/stderr | json_line)

# ---- 2. throughput: awslet vs ceiling, alternating ------------------------------------------
start_awslet data
start_ceiling

for f in awslet.jsonl ceiling.jsonl awslet.cpu ceiling.cpu; do : >"$TMP/$f"; done
for ((r = 1; r <= ROUNDS; r++)); do
    for target in awslet ceiling; do
        port=$A_PORT pid=$A_PID
        [[ $target == ceiling ]] && port=$C_PORT pid=$C_PID
        log "round $r/$ROUNDS: $target (port $port), $CONNS connections, ${WARMUP}s warm-up + ${DURATION}s"
        t0=$(cpu_ticks "$pid")
        line=$("$LOADGEN" -p "$port" -c "$CONNS" -d "$DURATION" -w "$WARMUP" -u /_awslet/health \
            --json --label "$target" | tee /dev/stderr | json_line) || {
            echo "bench: loadgen against $target failed (errors on the wire)" >&2
            exit 1
        }
        t1=$(cpu_ticks "$pid")
        echo "$line" >>"$TMP/$target.jsonl"
        cpu_per_request "$t0" "$t1" "$line" >>"$TMP/$target.cpu"
    done
done

A_RPS=$(med awslet rps); C_RPS=$(med ceiling rps)
A_P50=$(med awslet p50_ms); C_P50=$(med ceiling p50_ms)
A_P90=$(med awslet p90_ms); C_P90=$(med ceiling p90_ms)
A_P99=$(med awslet p99_ms); C_P99=$(med ceiling p99_ms)
A_MAX=$(med awslet max_ms); C_MAX=$(med ceiling max_ms)
A_CPU=$(median <"$TMP/awslet.cpu"); C_CPU=$(median <"$TMP/ceiling.cpu")
A_N2XX=$(field non2xx <"$TMP/awslet.jsonl" | awk '{ s += $1 } END { print s + 0 }')
C_N2XX=$(field non2xx <"$TMP/ceiling.jsonl" | awk '{ s += $1 } END { print s + 0 }')

# ---- report ---------------------------------------------------------------------------------
MHD=$(pkg-config --modversion libmicrohttpd 2>/dev/null || echo "?")
CC=$(cc --version 2>/dev/null | head -n 1)

{
    echo "### awslet benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    machine
    echo "libmicrohttpd $MHD; $CC; awslet and ceiling with $THREADS threads; loadgen 1 thread;"
    load_average
    echo
    echo "| Startup and memory | min | median | max | target |"
    echo "|---|---:|---:|---:|---|"
    for s in "$S_FILE" "$S_MEM"; do
        label=$(sed -n 's/.*"label":"\([^"]*\)".*/\1/p' <<<"$s")
        echo "| exec → first 200, $label store, ms ($(field runs <<<"$s") runs) |" \
            "$(fmt "$(field start_min_ms <<<"$s")") | $(fmt "$(field start_median_ms <<<"$s")") |" \
            "$(fmt "$(field start_max_ms <<<"$s")") | < 10 ms |"
    done
    for s in "$S_FILE" "$S_MEM"; do
        label=$(sed -n 's/.*"label":"\([^"]*\)".*/\1/p' <<<"$s")
        echo "| idle VmRSS / VmHWM, $label store, MB | | $(fmt "$(awk -v k="$(field rss_kb <<<"$s")" 'BEGIN { print k / 1024 }')" 1) /" \
            "$(fmt "$(awk -v k="$(field hwm_kb <<<"$s")" 'BEGIN { print k / 1024 }')" 1) | | < 8 MB (RSS) |"
    done
    echo "| floor: spawn + exec + exit of \`awslet --version\`, ms | | $(fmt "$(field exec_floor_median_ms <<<"$S_FILE")") | | |"
    echo "| SIGTERM → exit, file store, ms | | $(fmt "$(field stop_median_ms <<<"$S_FILE")") | | |"
    echo
    echo "| GET /_awslet/health, $CONNS keep-alive conns, median of $ROUNDS × ${DURATION}s | awslet | ceiling | awslet/ceiling |"
    echo "|---|---:|---:|---:|"
    echo "| requests/s | $(fmt "$A_RPS" 0) | $(fmt "$C_RPS" 0) | $(ratio "$A_RPS" "$C_RPS") |"
    echo "| p50 latency, ms | $(fmt "$A_P50" 3) | $(fmt "$C_P50" 3) | $(ratio "$A_P50" "$C_P50") |"
    echo "| p90 latency, ms | $(fmt "$A_P90" 3) | $(fmt "$C_P90" 3) | $(ratio "$A_P90" "$C_P90") |"
    echo "| p99 latency, ms | $(fmt "$A_P99" 3) | $(fmt "$C_P99" 3) | $(ratio "$A_P99" "$C_P99") |"
    echo "| max latency, ms | $(fmt "$A_MAX" 3) | $(fmt "$C_MAX" 3) | $(ratio "$A_MAX" "$C_MAX") |"
    echo "| server CPU per request, µs | $(fmt "$A_CPU" 1) | $(fmt "$C_CPU" 1) | $(ratio "$A_CPU" "$C_CPU") |"
    echo "| non-2xx responses (all rounds) | $A_N2XX | $C_N2XX | |"
    echo
    echo "Per-round requests/s — awslet: $(per_round awslet); ceiling: $(per_round ceiling)."
} | tee "$BUILD/bench-results.md"
