#!/usr/bin/env bash
# Runs the whole test suite on SQLite and, when PostgreSQL is reachable (or
# TEST_DATABASE_URL is set), the same suite on PostgreSQL at the same time:
# two independent pytest processes, each with its own database, one per core.
# Usage: scripts/run_suites.sh [pytest args…]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL_DEFAULT="postgresql://postgres@127.0.0.1:5432/test"

pg_reachable() {
  [ -n "${TEST_DATABASE_URL:-}" ] && return 0
  $BIN/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null
}

logdir=$(mktemp -d)
pg_pid=""
if pg_reachable; then
  echo "== the suite on SQLite and on PostgreSQL, side by side =="
  TEST_DATABASE_URL="${TEST_DATABASE_URL:-$PG_URL_DEFAULT}" \
    $BIN/python -m pytest -q -p no:cacheprovider "$@" >"$logdir/postgresql.log" 2>&1 &
  pg_pid=$!
else
  echo "== PostgreSQL not reachable: the suite runs on SQLite only =="
fi

env -u TEST_DATABASE_URL $BIN/python -m pytest -q -p no:cacheprovider "$@" >"$logdir/sqlite.log" 2>&1
sqlite_rc=$?
pg_rc=0
if [ -n "$pg_pid" ]; then
  wait "$pg_pid"
  pg_rc=$?
fi

echo "sqlite: exit $sqlite_rc${pg_pid:+, postgresql: exit $pg_rc}"
echo "== SQLite =="
cat "$logdir/sqlite.log"
if [ -n "$pg_pid" ]; then
  echo "== PostgreSQL =="
  cat "$logdir/postgresql.log"
fi
rm -rf "$logdir"
[ "$sqlite_rc" -eq 0 ] && [ "$pg_rc" -eq 0 ]
