#!/usr/bin/env bash
# Idempotently installs everything Dockyard and its test suite need on Debian 12, and makes sure
# Docker Engine is running. Safe to run again: each step checks before it acts.
#   scripts/install.sh            system packages + Python package (editable, with dev extras)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(docker.io haproxy postgresql busybox-static)
command -v python3 >/dev/null 2>&1 || APT_PACKAGES+=(python3 python3-pip python3-venv)

need_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  echo "install: apt packages ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# The Debian postgresql package auto-starts a cluster on install; tests run their own instance.
if ! docker info >/dev/null 2>&1; then
  if [ ! -S /var/run/docker.sock ] || ! docker info >/dev/null 2>&1; then
    echo "install: starting dockerd"
    # a dockerd that was killed leaves its pid file behind, and a new one refuses to start
    pgrep -x dockerd >/dev/null || rm -f /var/run/docker.pid
    mkdir -p /var/log
    nohup dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      sleep 0.5
    done
    docker info >/dev/null 2>&1 || { echo "install: dockerd did not start (see /var/log/dockerd.log)"; exit 1; }
  fi
fi

. scripts/python-env.sh
if [ ! -x .venv/bin/python ] && "$PY" -c 'import sys, sysconfig, os; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
  echo "install: system Python is externally managed; using a virtualenv in .venv"
  dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed" || {
    apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv python3-pip >/dev/null; }
  "$PY" -m venv --system-site-packages .venv
  . scripts/python-env.sh
  rm -f .install-stamp
fi
stamp=.install-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || ! "$PY" -c "import dockyard" 2>/dev/null; then
  echo "install: python package"
  "$PY" -m pip install -q --disable-pip-version-check -e '.[dev]'
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi  # expose the `dockyard` script
  touch "$stamp"
fi
