#!/usr/bin/env bash
# Starts (idempotently) a private PostgreSQL 15 for the test suite on 127.0.0.1:${DOCKYARD_TEST_PG_PORT:-55432}
# and prints the export line for DOCKYARD_TEST_PG_URL. `scripts/test-postgres.sh stop` stops it.
set -euo pipefail
PORT=${DOCKYARD_TEST_PG_PORT:-55432}
BASE=${DOCKYARD_TEST_PG_DIR:-/tmp/dockyard-test-pg}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { runuser -u postgres -- "$@"; }

if [ "${1:-start}" = stop ]; then
  as_pg "$BIN/pg_ctl" -D "$BASE/data" stop -m fast >/dev/null 2>&1 || true
  exit 0
fi

mkdir -p "$BASE"
chown postgres:postgres "$BASE"
if [ ! -f "$BASE/data/PG_VERSION" ]; then
  as_pg "$BIN/initdb" -D "$BASE/data" --auth=trust -U postgres >"$BASE/initdb.log" 2>&1
fi
if ! as_pg "$BIN/pg_ctl" -D "$BASE/data" status >/dev/null 2>&1; then
  as_pg "$BIN/pg_ctl" -D "$BASE/data" -l "$BASE/server.log" -w -t 60 \
    -o "-p $PORT -k $BASE -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
    start >/dev/null
fi
if ! as_pg psql -h 127.0.0.1 -p "$PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname='dockyard_test'" | grep -q 1; then
  as_pg psql -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE dockyard_test" >/dev/null
fi
echo "export DOCKYARD_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/dockyard_test"
