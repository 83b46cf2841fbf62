#!/usr/bin/env bash
# Idempotently installs everything Dockyard and its test suite need on Debian 12, and makes sure
# Docker Engine is running. Safe to run again: each step checks before it acts.
#   scripts/install.sh            system packages + Python package (editable, with dev extras)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(docker.io haproxy postgresql busybox-static)

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
    mkdir -p /var/log
    nohup dockerd >/var/log/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
      docker info >/dev/null 2>&1 && break
      sleep 0.5
    done
    docker info >/dev/null 2>&1 || { echo "install: dockerd did not start (see /var/log/dockerd.log)"; exit 1; }
  fi
fi

PY=${PYTHON:-python3}
stamp=.install-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || ! command -v dockyard >/dev/null 2>&1; then
  echo "install: python package"
  "$PY" -m pip install -q --disable-pip-version-check -e '.[dev]'
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi  # expose the `dockyard` script
  touch "$stamp"
fi
