"""What the control plane tells an agent: the tasks placed on each of its instances. Pure.

:func:`parse_poll_response` turns the agent channel's ``poll`` answer (see
``dockyard.api.agent_channel``) into typed values; a malformed entry raises ValueError.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dockyard.domain.task import ContainerOverride, TaskOverrides
from dockyard.domain.task_definition import TaskDefinition, task_definition_from_document
from dockyard.domain.task_status import DesiredStatus, StopCode

__all__ = ["InstanceManifest", "TaskManifest", "parse_poll_response", "parse_task_manifest"]


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskManifest:
    """One task an instance must run (or stop)."""

    task_arn: str
    task_id: str
    cluster: str
    desired: DesiredStatus
    task_definition: TaskDefinition
    overrides: TaskOverrides
    stop_code: StopCode | None = None
    stopped_reason: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The wire entry this was parsed from (kept in the agent's local state)."""

    @property
    def task_role_arn(self) -> str | None:
        """The task role (``TaskApplication``): RunTask's override, else the definition's."""
        return self.overrides.task_role_arn or self.task_definition.task_role_arn

    @property
    def execution_role_arn(self) -> str | None:
        """The execution role (``TaskExecution``): the override, else the definition's."""
        return self.overrides.execution_role_arn or self.task_definition.execution_role_arn

    @property
    def needs_execution_resources(self) -> bool:
        """Whether a container has ``secrets``, ``environmentFiles`` or log ``secretOptions``,
        which the agent fetches with the execution role before creating it."""
        return any(
            c.secrets
            or c.environment_files
            or (c.log_configuration is not None and c.log_configuration.secret_options)
            for c in self.task_definition.container_definitions
        )

    @property
    def region(self) -> str | None:
        """The Region field of the task ARN."""
        parts = self.task_arn.split(":")
        return parts[3] or None if len(parts) > 4 else None


@dataclass(frozen=True, slots=True)
class InstanceManifest:
    """Every live task of one instance. ``status`` is the instance's (ACTIVE, DRAINING,
    INACTIVE) or MISSING when the control plane does not know it in this cluster."""

    instance_id: str
    status: str
    etag: str
    tasks: tuple[TaskManifest, ...]


def parse_poll_response(body: Mapping[str, Any]) -> tuple[InstanceManifest, ...]:
    return tuple(_instance(i) for i in body.get("instances") or ())


def _instance(wire: Mapping[str, Any]) -> InstanceManifest:
    tasks = tuple(_task(t) for t in wire.get("tasks") or () if t.get("taskDefinition"))
    return InstanceManifest(str(wire["id"]), str(wire["status"]), str(wire["etag"]), tasks)


def parse_task_manifest(wire: Mapping[str, Any]) -> TaskManifest:
    """One manifest entry (also how the agent reloads its local state)."""
    return _task(wire)


def _task(wire: Mapping[str, Any]) -> TaskManifest:
    arn = str(wire["taskArn"])
    cluster = arn.split(":task/", 1)[1].rsplit("/", 1)[0] if ":task/" in arn else "default"
    code = wire.get("stopCode")
    return TaskManifest(
        task_arn=arn,
        task_id=str(wire["taskId"]),
        cluster=cluster,
        desired=DesiredStatus(wire["desiredStatus"]),
        task_definition=_definition(wire["taskDefinition"]),
        overrides=_overrides(wire.get("overrides") or {}),
        stop_code=StopCode(code) if code else None,
        stopped_reason=wire.get("stoppedReason"),
        raw=dict(wire),
    )


_DEFINITIONS: dict[str, TaskDefinition] = {}
_DEFINITIONS_LOCK = threading.Lock()
MAX_CACHED_DEFINITIONS = 512
"""Decoded task definitions by their document's text: every poll response repeats the
definition of each live task of a changed instance, and decoding it was a tenth of a busy
agent's CPU. Keyed by content, not ARN: a control plane started afresh may reuse an ARN."""


def _definition(document: Mapping[str, Any]) -> TaskDefinition:
    """The decoded ``document``, decoded once per process while it stays cached."""
    key = repr(document)
    with _DEFINITIONS_LOCK:
        found = _DEFINITIONS.get(key)
    if found is not None:
        return found
    decoded = task_definition_from_document(document)
    with _DEFINITIONS_LOCK:
        if len(_DEFINITIONS) >= MAX_CACHED_DEFINITIONS:
            _DEFINITIONS.pop(next(iter(_DEFINITIONS)))
        _DEFINITIONS[key] = decoded
    return decoded


def _overrides(wire: Mapping[str, Any]) -> TaskOverrides:
    return TaskOverrides(
        containers=tuple(
            ContainerOverride(
                name=c["name"],
                command=tuple(c["command"]) if c.get("command") is not None else None,
                environment=tuple(
                    (e["name"], e.get("value", "")) for e in c.get("environment") or ()
                ),
                cpu=c.get("cpu"),
                memory=c.get("memory"),
                memory_reservation=c.get("memoryReservation"),
            )
            for c in wire.get("containerOverrides") or ()
        ),
        cpu=wire.get("cpu"),
        memory=wire.get("memory"),
        task_role_arn=wire.get("taskRoleArn"),
        execution_role_arn=wire.get("executionRoleArn"),
    )
