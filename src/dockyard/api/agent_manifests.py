"""What the agent channel's poll answers with: per-instance manifests of live tasks.

::

    _changed (agent_channel.py) ─► tasks + task-definition documents of changed instances
        ─► ManifestFragments.fragment(task): the task's manifest entry as JSON text, cached
           by (task id, version) ─► render(): the response body, fragments spliced in

An instance's whole manifest is re-sent whenever one of its tasks changes (the agent replaces
its view from it), so most entries of a response are unchanged since the last one: encoding
each (task, version) once and splicing the text is what keeps a busy control plane's polls
cheap. The wire form is unchanged: ``{"instances": [{"id", "status", "etag", "tasks": [...]}]}``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.api.ecs.task_wire import overrides_to_wire, task_arn
from dockyard.domain import arns
from dockyard.domain.task import Task
from dockyard.domain.task_definition import TaskDefinition, task_definition_to_document
from dockyard.domain.task_status import DesiredStatus, TaskStatus

__all__ = [
    "Documents",
    "InstanceManifest",
    "ManifestFragments",
    "agent_desired",
    "agent_document",
    "manifest_entry",
]

Documents = dict[tuple[str, str, int], dict[str, Any] | None]
"""Agent renderings of task definitions by (region, family, revision)."""

MAX_CACHED_FRAGMENTS = 100_000
"""About the live tasks of a large fleet; past it the older half is dropped."""


@dataclass(frozen=True, slots=True)
class InstanceManifest:
    """One instance's answer: its status, etag and its live tasks' entries as JSON text."""

    instance_id: str
    status: str
    etag: str
    tasks: tuple[str, ...]


def agent_desired(task: Task) -> str:
    """A DEACTIVATING task keeps running on its agent until its load-balancer targets drain
    (the control plane then moves it to STOPPING)."""
    if task.last_status is TaskStatus.DEACTIVATING:
        return DesiredStatus.RUNNING.value
    return task.desired_status.value


def agent_document(td: TaskDefinition) -> dict[str, Any]:
    """The task definition as the agent needs it: JSON-safe (timestamps are left out)."""
    return {k: v for k, v in task_definition_to_document(td).items() if not isinstance(v, datetime)}


def manifest_entry(ctx: RequestContext, task: Task, documents: Documents) -> dict[str, Any]:
    """One task as its agent sees it. Depends only on the task (its version) and its task
    definition's rendering, which never changes for a revision."""
    return {
        "taskArn": task_arn(ctx, task),
        "taskId": task.task_id,
        "desiredStatus": agent_desired(task),
        "lastStatus": task.last_status.value,
        "stopCode": task.stop_code.value if task.stop_code else None,
        "stoppedReason": task.stopped_reason,
        "taskDefinitionArn": arns.task_definition_arn(
            ctx.region, ctx.account_id, task.family, task.revision
        ),
        "taskDefinition": documents.get((task.region, task.family, task.revision)),
        "overrides": overrides_to_wire(task.overrides),
        "containers": [
            {"name": c.name, "runtimeId": c.runtime_id, "lastStatus": c.last_status.value}
            for c in task.containers
        ],
    }


class ManifestFragments:
    """Manifest entries as JSON text, encoded once per (task id, version). Thread-safe."""

    def __init__(self, limit: int = MAX_CACHED_FRAGMENTS) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, str]] = {}

    def fragment(self, ctx: RequestContext, task: Task, documents: Documents) -> str:
        with self._lock:
            found = self._entries.get(task.task_id)
        if found is not None and found[0] == task.version:
            return found[1]
        entry = manifest_entry(ctx, task, documents)
        text = _dumps(entry)
        if entry["taskDefinition"] is not None:  # a missing definition is not remembered
            with self._lock:
                if len(self._entries) >= self._limit:
                    for key in list(self._entries)[: self._limit // 2]:
                        del self._entries[key]
                self._entries[task.task_id] = (task.version, text)
        return text

    def forget(self, task_ids: Sequence[str]) -> None:
        """Drop entries of tasks that left their instances' manifests (stopped)."""
        with self._lock:
            for task_id in task_ids:
                self._entries.pop(task_id, None)


def render(instances: Sequence[InstanceManifest]) -> bytes:
    """The poll response body (compact JSON, as Starlette's JSONResponse writes it)."""
    parts = []
    for m in instances:
        head = _dumps({"id": m.instance_id, "status": m.status, "etag": m.etag})
        parts.append(head[:-1] + ',"tasks":[' + ",".join(m.tasks) + "]}")
    return ('{"instances":[' + ",".join(parts) + "]}").encode()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
