#!/usr/bin/env bash
# Issue 2 load test: a signed-in page and an API read under 64 concurrent connections on
# loopback, beside a bare handler on the same server (/healthz), in the same run.
#
#   bench/http-baseline.sh            # SQLite (default)
#   BENCH_DB_URL=postgres://postgres@127.0.0.1:5432/jz_bench bench/http-baseline.sh
#
# Needs Debian's wrk. Prints one line per endpoint: requests/s, p50, p99. Runs are bounded by
# DURATION (default 10s) and wrk's timeout.
. "$(dirname "$0")/lib.sh"
build
KEY=$(prepare_db)
start_server
COOKIE=$(session_cookie)
echo "machine: $(nproc) cores; $(uname -r); db: ${DB_URL%%://*}"
for round in 1 2 3; do
    echo "-- round $round"
    load "bare handler GET /healthz" "$BASE/healthz"
    load "signed-in page GET /" -H "Cookie: jz_session=$COOKIE" "$BASE/"
    load "signed-in page GET /admin/users" -H "Cookie: jz_session=$COOKIE" "$BASE/admin/users"
    load "API read GET /api/v1/orgs/{id}" -H "Authorization: Bearer $KEY" "$BASE/api/v1/orgs/1"
    load "API read GET /api/v1/me (session)" -H "Cookie: jz_session=$COOKIE" "$BASE/api/v1/me"
done
echo "server RSS: $(server_rss)"
