#!/usr/bin/env bash
# Issue 5 benchmarks: with CASES (default 1,000,000) generated penalty cases in the database,
#  - the case page GET /cases/{id} (random ids), 64 connections;
#  - the case list and filters (all, open + matter, 三超期 overdue tab, a search by party name);
#  - the bare handler /healthz on the same server in the same run as the baseline;
#  - the due-soon/overdue sweep over every open clock (`jingzhi deadline sweep`), timed 3 times;
#  - server memory.
#
#   bench/cases.sh                                                        # SQLite
#   BENCH_DB_URL=postgres://postgres@127.0.0.1:5432/jz_cases bench/cases.sh   # PostgreSQL (empty database)
#   CASES=100000 DURATION=5s bench/cases.sh                               # smaller and shorter
. "$(dirname "$0")/lib.sh"
build
CASES="${CASES:-1000000}"
KEY=$(prepare_db)
# Cases are seen by case staff: a bureau leader (district scope).
jz user list 2>/dev/null | grep -q "^benchlead " || jz user add benchlead --name 压测领导 --org bureau --role bureau_leader --password-stdin <<<"$PASSWORD" >/dev/null
jz user passwd benchlead --password-stdin <<<"$PASSWORD" >/dev/null
if [ -n "${REUSE:-}" ]; then
    echo "reusing the cases already in $DB_URL" >&2     # REUSE=1 BENCH_DIR=… : skip generation
else
    echo "generating $CASES cases…" >&2
    start=$(date +%s)
    jz generate cases --count "$CASES" --seed 11 >&2
    echo "generated in $(( $(date +%s) - start )) s" >&2
fi
echo "machine: $(nproc) cores; $(uname -r); db: ${DB_URL%%://*}; cases: $CASES"
for round in 1 2 3; do
    jz deadline sweep
done
start_server
COOKIE=$(session_cookie benchlead)
export CASE_COUNT="$CASES"
curl -sf -o /dev/null -H "Cookie: jz_session=$COOKIE" "$BASE/cases/1" || { echo "case page failed"; exit 1; }
for round in 1 2 3; do
    echo "-- round $round"
    load "bare handler GET /healthz" "$BASE/healthz"
    load "case page GET /cases/{random}" -s "$ROOT/bench/case_page.lua" -H "Cookie: jz_session=$COOKIE" "$BASE"
    load "list GET /cases?tab=all" -H "Cookie: jz_session=$COOKIE" "$BASE/cases?tab=all"
    load "filter GET /cases?tab=open&matter=…" -H "Cookie: jz_session=$COOKIE" "$BASE/cases?tab=open&matter=street_vending"
    load "overdue GET /cases?tab=overdue" -H "Cookie: jz_session=$COOKIE" "$BASE/cases?tab=overdue"
    CONNS=8 load "case page, 8 connections" -s "$ROOT/bench/case_page.lua" -H "Cookie: jz_session=$COOKIE" "$BASE"
    CONNS=8 load "list, 8 connections" -H "Cookie: jz_session=$COOKIE" "$BASE/cases?tab=all"
    echo "server RSS: $(server_rss)"
done
# Search (the full-text index, migration 0008): a common name (王伟: one of 120 generated names,
# about 0.8% of the cases), a number's digits (a handful of matches), at 64 connections; then the
# one-character fallback (substring scan) last, with 4 connections, so that its long requests do
# not spill into the other measurements.
echo "-- search"
for round in 1 2 3; do
    load "search q=王伟 (common name)" -H "Cookie: jz_session=$COOKIE" "$BASE/cases?tab=all&q=%E7%8E%8B%E4%BC%9F"
    load "search q=12345 (number)" -H "Cookie: jz_session=$COOKIE" "$BASE/cases?tab=all&q=12345"
done
CONNS=4 load "search q=王 (one character), 4 conns" -H "Cookie: jz_session=$COOKIE" "$BASE/cases?tab=all&q=%E7%8E%8B"
echo "server RSS: $(server_rss)"
