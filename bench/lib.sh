# Shared helpers of the benchmark scripts. Source it: `. bench/lib.sh`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${JINGZHI_BIN:-$ROOT/target/release/jingzhi}"
PORT="${PORT:-18090}"
BASE="http://127.0.0.1:$PORT"
WORK="${BENCH_DIR:-$(mktemp -d /tmp/jingzhi-bench.XXXXXX)}"
DB_URL="${BENCH_DB_URL:-sqlite://$WORK/bench.db}"
PASSWORD='Changning-Load-2026!'

need() { command -v "$1" >/dev/null || { echo "missing $1 (Debian: apt-get install $2)"; exit 2; }; }
need wrk wrk
need curl curl

build() {
    if [ -z "${JINGZHI_BIN:-}" ]; then
        echo "building release binary…" >&2
        (cd "$ROOT" && cargo build --release -q -p jingzhi-cli)
    fi
}

jz() { "$BIN" --database-url "$DB_URL" "$@"; }

# A database with the demo places, an administrator `bench` and an API key (printed).
prepare_db() {
    jz migrate >/dev/null
    jz org import "$ROOT/data/demo/changning.toml" >/dev/null
    jz boundaries import "$ROOT/data/boundaries/changning-approx.geojson" >/dev/null
    jz user list 2>/dev/null | grep -q "^bench " || jz user add bench --name 压测 --org dispatch --role admin --role dispatcher --password-stdin <<<"$PASSWORD" >/dev/null
    jz user passwd bench --password-stdin <<<"$PASSWORD" >/dev/null
    jz api-key create --name 压测 --org dispatch --role dispatcher 2>/dev/null
}

start_server() {
    "$BIN" --database-url "$DB_URL" serve --listen "127.0.0.1:$PORT" "$@" >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    trap 'kill $SERVER_PID 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do curl -sf "$BASE/healthz" >/dev/null && return 0; sleep 0.1; done
    echo "server did not start:"; cat "$WORK/server.log"; exit 1
}

# Signs in as `bench` (or the user given) and prints the session cookie value.
session_cookie() {
    local user="${1:-bench}"
    local jar="$WORK/cookies-$user"
    local csrf
    csrf=$(curl -s -c "$jar" "$BASE/login" | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//;s/"//')
    curl -s -b "$jar" -c "$jar" -o /dev/null -d "_csrf=$csrf&next=/&username=$user&password=$PASSWORD" "$BASE/login"
    awk '$6 == "jz_session" {print $7}' "$jar"
}

# Runs wrk and prints one line: label req/s p50 p99 (ms).
# ONLY=REGEX runs only the endpoints whose label matches (e.g. ONLY='intake|baseline').
load() {
    local label=$1; shift
    if [ -n "${ONLY:-}" ] && ! [[ "$label" =~ $ONLY ]]; then return 0; fi
    local out
    out=$(wrk -t2 -c"${CONNS:-64}" -d"${DURATION:-10s}" --timeout 10s --latency "$@")
    local rps p50 p99 non2xx
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
    printf '%-34s %10s req/s   p50 %8s   p99 %8s   %s\n' "$label" "$rps" "$p50" "$p99" "${non2xx:+non-2xx: $non2xx}"
}

# Resident memory of the server (MB).
server_rss() { awk '/VmRSS/ {printf "%.0f MB\n", $2/1024}' "/proc/$SERVER_PID/status"; }
