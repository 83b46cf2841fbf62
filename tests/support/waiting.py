"""Polling helper for tests that drive a real server, agent or container."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, interval: float = 0.2) -> Any:
    """Call ``predicate`` every ``interval`` s until it returns something truthy (returned);
    AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s")
        time.sleep(interval)


def has_instances(ecs: Any, cluster: str = "default") -> bool:
    """The cluster has a registered container instance (``dockyard up`` creates cluster
    ``default`` and registers this host just after its endpoint answers); False until then."""
    from botocore.exceptions import ClientError

    try:
        return bool(ecs.list_container_instances(cluster=cluster)["containerInstanceArns"])
    except ClientError:
        return False
