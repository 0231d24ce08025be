# bench/lib.sh: what bench/run.sh, bench/sqs.sh and bench/ddb.sh share; sourced, never run.
#
# Building the Release tree, a scratch directory whose daemons are stopped on exit, starting
# awslet and the ceiling server on free ports, reading the JSON lines the bench programs print,
# medians and ratios, and the machine a report was made on. The caller has cd'd to the top of
# the tree and set BUILD and THREADS; sourcing records the load average before the run, so
# source it before anything heavy starts.
# The variables the functions set are read by the caller, which shellcheck cannot see here.
# shellcheck shell=bash disable=SC2034

log() { printf '== %s\n' "$*" >&2; }
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
TICK=$(getconf CLK_TCK)

# build_release: awslet and the bench programs in $BUILD (Release, no tests); sets AWSLET,
# LOADGEN and CEILING (the rest are in $BUILD/bench too).
build_release() {
    log "building Release tree in $BUILD"
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DAWSLET_TESTS=OFF >/dev/null
    cmake --build "$BUILD" -j"$(nproc)" --target awslet bench >/dev/null
    AWSLET=$BUILD/awslet
    LOADGEN=$BUILD/bench/loadgen
    CEILING=$BUILD/bench/ceiling
}

# scratch_dir PREFIX: a fresh TMP; on exit every daemon in PIDS is stopped and TMP removed.
scratch_dir() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    PIDS=()
    trap cleanup EXIT
}
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}

# wait_port FILE: the port a server wrote once listening (10 s at most).
wait_port() {
    local i
    for ((i = 0; i < 1000; i++)); do
        if [[ -s $1 ]]; then
            head -n 1 "$1"
            return 0
        fi
        sleep 0.01
    done
    echo "bench: no port file $1 after 10 s" >&2
    return 1
}

# start_awslet NAME: a daemon on a fresh data directory $TMP/NAME; sets A_PID and A_PORT.
start_awslet() {
    mkdir -p "$TMP/$1"
    "$AWSLET" --port 0 --port-file "$TMP/$1.port" --data-dir "$TMP/$1" --threads "$THREADS" \
        --log-level warn 2>"$TMP/$1.log" &
    A_PID=$!
    PIDS+=("$A_PID")
    A_PORT=$(wait_port "$TMP/$1.port")
}

# start_ceiling: the ceiling server with as many threads as awslet; sets C_PID and C_PORT.
start_ceiling() {
    "$CEILING" --port 0 --port-file "$TMP/ceiling.port" --threads "$THREADS" 2>"$TMP/ceiling.log" &
    C_PID=$!
    PIDS+=("$C_PID")
    C_PORT=$(wait_port "$TMP/ceiling.port")
}

# The last JSON line a bench program printed.
json_line() { grep '^{' | tail -n 1; }
# field NAME < json-line: a numeric field of a flat JSON object.
field() { sed -n "s/.*\"$1\":\\([-0-9.]*\\).*/\\1/p"; }
# median of the numbers on stdin, one a line.
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
fmt() { awk -v v="$1" -v d="${2:-2}" 'BEGIN { printf "%.*f", d, v }'; }
# med NAME FIELD: the median of FIELD over the JSON lines in $TMP/NAME.jsonl.
med() { field "$2" <"$TMP/$1.jsonl" | median; }
# per_round NAME [MULT]: rps of every round in $TMP/NAME.jsonl (times MULT), comma-separated.
per_round() {
    field rps <"$TMP/$1.jsonl" |
        awk -v m="${2:-1}" '{ printf "%s%.0f", (NR > 1 ? ", " : ""), $1 * m }'
}

# cpu_ticks PID: user + system CPU time the process has used, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# cpu_per_request T0 T1 LINE: server CPU per request in µs, from its ticks before and after a
# loadgen round and that round's JSON line; every request it answered counts, warm-up too.
cpu_per_request() {
    awk -v t="$(($2 - $1))" -v hz="$TICK" -v n="$(field requests <<<"$3")" \
        -v w="$(field warmup_requests <<<"$3")" \
        'BEGIN { if (n + w > 0) printf "%.3f\n", t / hz * 1e6 / (n + w) }'
}

# machine: the "Machine: ..." line that opens a report.
machine() {
    local cpu mem
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
    mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
    echo "Machine: $(nproc) CPUs ($cpu), $mem RAM, Linux $(uname -r) $(uname -m);"
}
# load_average: before the run (when this file was sourced) and now.
load_average() {
    echo "load average (1/5/15 min) before the run: $LOAD_BEFORE," \
        "after: $(cut -d' ' -f1-3 /proc/loadavg)."
}
