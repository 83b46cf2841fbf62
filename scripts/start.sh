#!/usr/bin/env bash
# Installs whatever is missing, then runs `dockyard up` on its embedded defaults: the control
# plane (SQLite and credentials in ~/.local/share/dockyard, endpoint http://127.0.0.1:8780)
# plus a local agent that registers this host in cluster `default` and runs tasks on Docker.
# Extra arguments go to `dockyard up`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
. scripts/python-env.sh
exec "$PY" -m dockyard.cli up "$@"
