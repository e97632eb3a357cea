#!/usr/bin/env bash
# Runs the whole test suite on SQLite, then, when PostgreSQL is reachable (or
# TEST_DATABASE_URL is set), the same suite on PostgreSQL. Each run creates its
# own database. Usage: scripts/run_suites.sh [pytest args…]
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL_DEFAULT="postgresql://postgres@127.0.0.1:5432/test"

pg_reachable() {
  [ -n "${TEST_DATABASE_URL:-}" ] && return 0
  $BIN/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null
}

echo "== the suite on SQLite =="
env -u TEST_DATABASE_URL $BIN/python -m pytest -q -p no:cacheprovider "$@"
sqlite_rc=$?
pg_rc=0
if pg_reachable; then
  echo "== the same suite on PostgreSQL =="
  TEST_DATABASE_URL="${TEST_DATABASE_URL:-$PG_URL_DEFAULT}" \
    $BIN/python -m pytest -q -p no:cacheprovider "$@"
  pg_rc=$?
else
  echo "== PostgreSQL not reachable: the suite ran on SQLite only =="
fi
[ "$sqlite_rc" -eq 0 ] && [ "$pg_rc" -eq 0 ]
