#!/usr/bin/env bash
# Issue 4 benchmarks: with CLUES (default 1,000,000) generated clues in the database,
#  - API intake POST /api/v1/clues (classify + locate + de-duplicate + store + audit) against the
#    bare write baseline POST /bench/insert (one single-row insert transaction) on the same server
#    in the same run, 64 connections;
#  - the queue page and a two-character Chinese search (page and API), 64 connections;
#  - server memory.
#
#   bench/intake.sh                                       # SQLite
#   BENCH_DB_URL=postgres://postgres@127.0.0.1:5432/jz_bench bench/intake.sh   # PostgreSQL (empty database)
#   CLUES=100000 DURATION=5s bench/intake.sh              # smaller and shorter
#   REUSE=1 BENCH_DIR=/tmp/jingzhi-bench.XXXX bench/intake.sh   # measure a database generated before
#   ONLY='baseline|intake' ROUNDS=5 bench/intake.sh        # some endpoints, more rounds
#
# Needs Debian's wrk. Prints one line per endpoint and round: requests/s, p50, p99.
. "$(dirname "$0")/lib.sh"
build
CLUES="${CLUES:-1000000}"
KEY=$(prepare_db)
if [ -n "${REUSE:-}" ]; then
    echo "reusing the clues already in $DB_URL" >&2     # REUSE=1 BENCH_DIR=… : skip generation
else
    echo "generating $CLUES clues…" >&2
    start=$(date +%s)
    jz generate clues --count "$CLUES" --seed 11 >&2
    echo "generated in $(( $(date +%s) - start )) s" >&2
fi
export JINGZHI_BENCH_ENDPOINTS=true
start_server
COOKIE=$(session_cookie)
export BENCH_KEY="$KEY"
echo "machine: $(nproc) cores; $(uname -r); db: ${DB_URL%%://*}; clues: $CLUES"
curl -sf -o /dev/null -H "Cookie: jz_session=$COOKIE" "$BASE/clues?queue=to_accept" || { echo "queue page failed"; exit 1; }
for round in $(seq 1 "${ROUNDS:-3}"); do
    echo "-- round $round"
    load "baseline POST /bench/insert" -s "$ROOT/bench/post.lua" "$BASE/bench/insert"
    load "intake POST /api/v1/clues" -s "$ROOT/bench/intake.lua" "$BASE/api/v1/clues"
    load "queue page GET /clues?queue=to_accept" -H "Cookie: jz_session=$COOKIE" "$BASE/clues?queue=to_accept"
    load "queue page GET /clues?queue=overdue" -H "Cookie: jz_session=$COOKIE" "$BASE/clues?queue=overdue"
    load "search page GET /clues?q=油烟" -H "Cookie: jz_session=$COOKIE" "$BASE/clues?q=%E6%B2%B9%E7%83%9F"
    load "search API GET /api/v1/clues?q=油烟" -H "Authorization: Bearer $KEY" "$BASE/api/v1/clues?q=%E6%B2%B9%E7%83%9F"
    echo "server RSS: $(server_rss)"
done
