"""Collects ``awslogs`` containers' output into Dockyard's CloudWatch Logs API.

The Docker adapter runs awslogs containers with Docker's local ``json-file`` driver
(``docker/logconfig.py``); for each such container this collector follows Docker's log stream
on a thread and hands the lines to a :class:`~dockyard.agent.logs.shipper.LogShipper`, which
creates the group (``awslogs-create-group``) and the stream and ships PutLogEvents batches.
The stream is ``<prefix>/<container>/<task id>`` or, without a prefix, the container id.

A container adopted after an agent restart is followed from the restart on: lines it wrote
while no agent ran stay in Docker's json-file log (``docker logs``) but are not shipped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from dockyard.agent.docker.logconfig import awslogs_settings
from dockyard.agent.logs.shipper import LogShipper, LogsTransport
from dockyard.agent.record import ContainerRecord, TaskRecord

log = logging.getLogger("dockyard.agent")

__all__ = ["LogCollector"]


class LogCollector:
    """``logs_client(region)`` returns a boto3-style CloudWatch Logs client for a region."""

    def __init__(self, runtime: Any, logs_client: Callable[[str | None], Any]) -> None:
        self._runtime = runtime
        self._logs_client = logs_client
        self._following: set[str] = set()
        self._lock = threading.Lock()

    def start(
        self, record: TaskRecord, container: ContainerRecord, *, since: datetime | None = None
    ) -> None:
        """Follow ``container``'s output if it uses awslogs (idempotent per container)."""
        settings = awslogs_settings(record.definition(container.name), record.task_id)
        runtime_id = container.runtime_id
        if settings is None or runtime_id is None or not hasattr(self._runtime, "logs"):
            return
        with self._lock:
            if runtime_id in self._following:
                return
            self._following.add(runtime_id)
        shipper = LogShipper(
            group=settings.group,
            stream=settings.stream or runtime_id,
            transport=LogsTransport.for_client(self._logs_client(settings.region)),
            create_group=settings.create_group,
        )
        thread = threading.Thread(
            target=self._follow,
            args=(shipper, runtime_id, since),
            daemon=True,
            name=f"logs:{runtime_id[:12]}",
        )
        thread.start()

    def _follow(self, shipper: LogShipper, runtime_id: str, since: datetime | None) -> None:
        try:
            shipper.run(self._lines(runtime_id, since))
        finally:
            with self._lock:
                self._following.discard(runtime_id)

    def _lines(self, runtime_id: str, since: datetime | None) -> Iterator[tuple[int, str]]:
        try:
            for moment, line in self._runtime.logs(runtime_id, since=since, follow=True):
                yield int(moment.timestamp() * 1000), line
        except Exception as exc:
            log.warning("following the logs of %s failed: %s", runtime_id[:12], exc)
