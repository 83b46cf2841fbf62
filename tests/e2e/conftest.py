"""End-to-end fixtures: one real server per module (state shared within a module)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("dockyard") / "data"
    proc = ServerProcess(data_dir=data_dir).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def ecs(server: ServerProcess):  # type: ignore[no-untyped-def]
    return server.client("ecs")
