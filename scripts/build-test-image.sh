#!/usr/bin/env bash
# Builds dockyard-test/busybox:latest from Debian's busybox-static without any registry
# (idempotent: rebuilds only when the busybox binary changed). Prints the image name.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=dockyard-test/busybox:latest
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || { echo "busybox-static is not installed (scripts/install.sh)" >&2; exit 1; }
digest=$(sha256sum "$BUSYBOX" | cut -c1-16)
if [ "$(docker image inspect -f '{{index .Config.Labels "busybox-sha"}}' "$IMAGE" 2>/dev/null)" != "$digest" ]; then
  ctx=$(mktemp -d)
  cp tests/images/busybox/Dockerfile "$ctx/"
  cp "$BUSYBOX" "$ctx/busybox"
  DOCKER_BUILDKIT=0 docker build -q --label "busybox-sha=$digest" -t "$IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
fi
echo "$IMAGE"
