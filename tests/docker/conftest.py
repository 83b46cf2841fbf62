"""Fixtures for tests that need the real Docker Engine (started by scripts/install.sh)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def docker_client() -> Iterator[object]:
    import docker

    try:
        client = docker.from_env(version="auto")
        client.ping()
    except Exception as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Docker Engine not reachable: {exc}")
    yield client
    client.close()


@pytest.fixture(scope="session")
def test_image(docker_client: object) -> str:
    """``dockyard-test/busybox:latest``, built locally from Debian's busybox-static."""
    out = subprocess.run(
        [str(REPO / "scripts/build-test-image.sh")], capture_output=True, text=True,
        check=True, timeout=300,
    )
    return out.stdout.strip().splitlines()[-1]
