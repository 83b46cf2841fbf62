#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine: installs what is missing, starts the
# services tests need (Docker Engine, a private PostgreSQL), then runs the linters, type
# checks, layer contracts and every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
. scripts/python-env.sh
eval "$(scripts/test-postgres.sh start)"
export DOCKYARD_TEST_PG_URL

echo "== ruff";          "$PY" -m ruff check src tests bench
echo "== mypy";          "$PY" -m mypy
echo "== import-linter"; lint-imports --no-cache
echo "== pytest"
set +e
"$PY" -m pytest "$@"
status=$?
set -e
# pytest exits 5 when a selection collected no tests: not a failure of the suite.
if [ "$status" -eq 5 ]; then status=0; fi
exit "$status"
