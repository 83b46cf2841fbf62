"""Real HAProxy fixtures: the binary (skipped locally when missing, a failure in CI), tiny
HTTP targets, and a data plane on a free 127.0.0.1 port, stopped after each test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.integration_lb.lb_live import LiveHaproxy, TinyBackend, free_port

from dockyard.lb import (
    DataPlaneController,
    HaproxyNotFound,
    HaproxyPaths,
    HaproxyProcess,
    HaproxyRuntimeClient,
    find_haproxy,
)


@pytest.fixture(scope="session")
def haproxy_binary() -> str:
    try:
        return find_haproxy()
    except HaproxyNotFound:
        if os.environ.get("CI"):
            pytest.fail("haproxy must be installed in CI (scripts/install.sh installs it)")
        pytest.skip("haproxy is not installed: apt-get install -y haproxy (or scripts/install.sh)")


@pytest.fixture
def targets() -> Iterator[Callable[[str], TinyBackend]]:
    started: list[TinyBackend] = []

    def make(tag: str) -> TinyBackend:
        started.append(TinyBackend(tag))
        return started[-1]

    yield make
    for backend in started:
        backend.stop()


@pytest.fixture
def haproxy(haproxy_binary: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHaproxy]:
    paths = HaproxyPaths(Path(tmp_path_factory.mktemp("hp")))
    process = HaproxyProcess(paths, binary=haproxy_binary)
    runtime = HaproxyRuntimeClient.at(paths.stats_socket)
    live = LiveHaproxy(paths, process, runtime, DataPlaneController(process, runtime), free_port())
    try:
        yield live
    finally:
        process.stop()
