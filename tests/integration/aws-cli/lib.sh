# Integration-test helpers for aws-cli scripts: source this file, then start_awslet.
#
# start_awslet [extra flags...] runs the REAL daemon ($AWSLET_BIN, else <source>/build/awslet) on
# a free port (--port 0 --port-file) with a fresh temp data dir, waits for /_awslet/health, and
# sets AWSLET_URL / AWSLET_PORT / AWSLET_TMP / AWSLET_LOG.  An EXIT trap stops it (SIGTERM, then
# SIGKILL) and prints the daemon log if the script failed.  awscli runs Debian's aws-cli v2 at
# /usr/bin/aws (another aws may be first on PATH) with dummy credentials and no retries.
# Helpers: fail MSG, expect_fail WANT_RC CMD... (captures OUT/ERR/RC), assert_contains HAY NEEDLE.

set -u

AWSLET_SOURCE_DIR=${AWSLET_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
AWSLET_BIN=${AWSLET_BIN:-$AWSLET_SOURCE_DIR/build/awslet}
AWS_CLI=${AWS_CLI:-/usr/bin/aws}

export AWS_ACCESS_KEY_ID=test
export AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1
export AWS_REGION=us-east-1
export AWS_PAGER=""
export AWS_MAX_ATTEMPTS=1
export AWS_RETRY_MODE=standard
export AWS_CONFIG_FILE=/dev/null
export AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
# the daemon gets its configuration from our flags only
for _v in $(compgen -e | grep '^AWSLET_' || true); do
    case $_v in AWSLET_BIN|AWSLET_SOURCE_DIR) ;; *) unset "$_v" ;; esac
done

AWSLET_PID=
AWSLET_TMP=
AWSLET_FAILED=0

fail() {
    echo "FAIL: $*" >&2
    AWSLET_FAILED=1
    exit 1
}

_awslet_exit() {
    local rc=$?
    stop_awslet
    if [ "$AWSLET_FAILED" -ne 0 ] && [ "$rc" -eq 0 ]; then
        rc=1
    fi
    if [ "$rc" -ne 0 ] || [ "$AWSLET_FAILED" -ne 0 ]; then
        if [ -n "$AWSLET_TMP" ] && [ -f "$AWSLET_TMP/awslet.log" ]; then
            echo "---- awslet log ($AWSLET_TMP/awslet.log) ----" >&2
            cat "$AWSLET_TMP/awslet.log" >&2
            echo "---- end of log ----" >&2
        fi
    fi
    [ -n "$AWSLET_TMP" ] && rm -rf "$AWSLET_TMP"
    exit "$rc"
}
trap _awslet_exit EXIT

start_awslet() {
    [ -x "$AWSLET_BIN" ] || fail "awslet binary not found at $AWSLET_BIN (set AWSLET_BIN)"
    [ -x "$AWS_CLI" ] || fail "aws-cli not found at $AWS_CLI"
    [ -n "$AWSLET_TMP" ] || AWSLET_TMP=$(mktemp -d "${TMPDIR:-/tmp}/awslet-cli-XXXXXX")
    AWSLET_LOG=$AWSLET_TMP/awslet.log
    rm -f "$AWSLET_TMP/port"
    "$AWSLET_BIN" --port 0 --port-file "$AWSLET_TMP/port" --data-dir "$AWSLET_TMP/data" "$@" \
        </dev/null >>"$AWSLET_LOG" 2>&1 &
    AWSLET_PID=$!
    local deadline=$((SECONDS + 15))
    while :; do
        kill -0 "$AWSLET_PID" 2>/dev/null || { wait "$AWSLET_PID"; AWSLET_PID=; fail "awslet exited during startup"; }
        if [ -s "$AWSLET_TMP/port" ]; then
            AWSLET_PORT=$(cat "$AWSLET_TMP/port")
            case $AWSLET_PORT in ''|*[!0-9]*) ;; *) break ;; esac
        fi
        [ "$SECONDS" -lt "$deadline" ] || fail "awslet did not write its port file"
        sleep 0.02
    done
    AWSLET_URL=http://127.0.0.1:$AWSLET_PORT
    until curl -sf -o /dev/null "$AWSLET_URL/_awslet/health"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "awslet /_awslet/health never answered"
        sleep 0.02
    done
}

# stop_awslet: SIGTERM, wait up to 10 s, then SIGKILL.  Sets AWSLET_RC to the exit status.
stop_awslet() {
    [ -n "$AWSLET_PID" ] || return 0
    kill -TERM "$AWSLET_PID" 2>/dev/null
    local i
    for i in $(seq 1 500); do
        kill -0 "$AWSLET_PID" 2>/dev/null || break
        sleep 0.02
    done
    if kill -0 "$AWSLET_PID" 2>/dev/null; then
        echo "stop_awslet: no exit 10 s after SIGTERM, sending SIGKILL" >&2
        kill -KILL "$AWSLET_PID" 2>/dev/null
    fi
    wait "$AWSLET_PID" 2>/dev/null
    AWSLET_RC=$?
    AWSLET_PID=
    # Under ASan/UBSan a leak or undefined behaviour shows as a non-zero exit or a report in
    # the log: either fails the test even if every assertion passed.
    if [ "$AWSLET_RC" -ne 0 ]; then
        AWSLET_FAILED=1
        echo "FAIL: awslet exited with status $AWSLET_RC on SIGTERM" >&2
    fi
    if [ -f "$AWSLET_LOG" ] && grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error: ' "$AWSLET_LOG"; then
        AWSLET_FAILED=1
        echo "FAIL: sanitizer report in the awslet log" >&2
    fi
    return 0
}

awscli() {
    "$AWS_CLI" --endpoint-url "$AWSLET_URL" --region us-east-1 --no-cli-pager "$@"
}

# expect_fail WANT_RC CMD...: run CMD, keep stdout/stderr/exit code in OUT/ERR/RC, require RC.
expect_fail() {
    local want=$1; shift
    local o e
    o=$(mktemp "$AWSLET_TMP/out.XXXXXX"); e=$(mktemp "$AWSLET_TMP/err.XXXXXX")
    set +e
    "$@" >"$o" 2>"$e"
    RC=$?
    set -e
    OUT=$(cat "$o"); ERR=$(cat "$e")
    [ "$RC" -eq "$want" ] || fail "$* exited $RC, want $want; stderr: $ERR; stdout: $OUT"
}

assert_contains() {
    case $1 in *"$2"*) ;; *) fail "expected to find '$2' in: $1" ;; esac
}

assert_not_contains() {
    case $1 in *"$2"*) fail "did not expect '$2' in: $1" ;; esac
}
