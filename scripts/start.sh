#!/usr/bin/env bash
# Installs whatever is missing, then starts Dockyard on its embedded defaults
# (SQLite and credentials in ~/.local/share/dockyard, endpoint http://127.0.0.1:8780).
# Extra arguments go to `dockyard server`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
. scripts/python-env.sh
exec "$PY" -m dockyard.cli server "$@"
