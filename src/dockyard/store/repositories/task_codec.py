"""Row codec of the ``tasks`` table: :class:`~dockyard.domain.task.Task` ↔ column values and
the JSON ``document`` (containers, overrides, timestamps, reasons). Pure mapping; used only by
:mod:`dockyard.store.repositories.tasks`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table

from dockyard.domain.task import (
    ContainerOverride,
    NetworkBinding,
    Task,
    TaskContainer,
    TaskOverrides,
)
from dockyard.domain.task_status import (
    ContainerStatus,
    DesiredStatus,
    HealthStatus,
    StopCode,
    TaskStatus,
)
from dockyard.store.schema import TaskRow

_TIMESTAMPS = (
    "pull_started_at",
    "pull_stopped_at",
    "started_at",
    "connectivity_at",
    "stopping_at",
    "execution_stopped_at",
)


def encode_ports(ports: Iterable[tuple[int, str]]) -> str:
    return ",".join(f"{port}/{protocol}" for port, protocol in ports)


def decode_ports(text: str) -> set[tuple[int, str]]:
    result = set()
    for item in text.split(","):
        if item:
            port, _, protocol = item.partition("/")
            result.add((int(port), protocol or "tcp"))
    return result


TABLE: Table = TaskRow.__table__  # type: ignore[assignment]

COLUMNS = (
    "region",
    "cluster",
    "instance_id",
    "family",
    "revision",
    "started_by",
    "group_name",
    "service_name",
    "launch_type",
    "last_status",
    "desired_status",
    "client_token",
    "cpu",
    "memory",
    "ports",
    "created_at",
    "stopped_at",
    "document",
)
"""Every column but the key and the version, in :func:`values` order."""


def fill(row: TaskRow, task: Task) -> None:
    for name, value in values(task).items():
        setattr(row, name, value)


def values(task: Task) -> dict[str, Any]:
    """Column values of ``task`` (all of :data:`COLUMNS`)."""
    return {
        "region": task.region,
        "cluster": task.cluster,
        "instance_id": task.instance_id,
        "family": task.family,
        "revision": task.revision,
        "started_by": task.started_by,
        "group_name": task.group,
        "service_name": task.service_name,
        "launch_type": task.launch_type,
        "last_status": task.last_status.value,
        "desired_status": task.desired_status.value,
        "client_token": task.client_token,
        "cpu": task.cpu,
        "memory": task.memory,
        "ports": encode_ports(task.ports),
        "created_at": task.created_at,
        "stopped_at": task.stopped_at,
        "document": _document(task),
    }


def _document(task: Task) -> dict[str, Any]:
    return {
        "containers": [_container_doc(c) for c in task.containers],
        "overrides": _overrides_doc(task.overrides),
        "taskCpu": task.task_cpu,
        "taskMemory": task.task_memory,
        "stopCode": task.stop_code.value if task.stop_code else None,
        "stoppedReason": task.stopped_reason,
        "healthStatus": task.health_status.value,
        "stopAfter": _iso(task.stop_after),
        **{name: _iso(getattr(task, name)) for name in _TIMESTAMPS},
    }


def to_domain(row: Any) -> Task:
    """A task from its row: an ORM ``TaskRow`` or a Core row of the ``tasks`` table."""
    doc: dict[str, Any] = row.document
    return Task(
        task_id=row.task_id,
        region=row.region,
        cluster=row.cluster,
        family=row.family,
        revision=row.revision,
        instance_id=row.instance_id,
        containers=tuple(_container(c) for c in doc.get("containers", [])),
        created_at=row.created_at,
        launch_type=row.launch_type,
        last_status=TaskStatus(row.last_status),
        desired_status=DesiredStatus(row.desired_status),
        overrides=_overrides(doc.get("overrides") or {}),
        cpu=row.cpu,
        memory=row.memory,
        ports=tuple(sorted(decode_ports(row.ports))),
        task_cpu=doc.get("taskCpu"),
        task_memory=doc.get("taskMemory"),
        started_by=row.started_by,
        group=row.group_name,
        service_name=row.service_name,
        client_token=row.client_token,
        stop_code=StopCode(doc["stopCode"]) if doc.get("stopCode") else None,
        stopped_reason=doc.get("stoppedReason"),
        health_status=HealthStatus(doc.get("healthStatus") or "UNKNOWN"),
        stopped_at=row.stopped_at,
        stop_after=_parse(doc.get("stopAfter")),
        version=row.version,
        **{name: _parse(doc.get(name)) for name in _TIMESTAMPS},
    )


def _container_doc(c: TaskContainer) -> dict[str, Any]:
    return {
        "id": c.container_id,
        "name": c.name,
        "image": c.image,
        "essential": c.essential,
        "cpu": c.cpu,
        "memory": c.memory,
        "memoryReservation": c.memory_reservation,
        "hasHealthCheck": c.has_health_check,
        "lastStatus": c.last_status.value,
        "exitCode": c.exit_code,
        "reason": c.reason,
        "runtimeId": c.runtime_id,
        "imageDigest": c.image_digest,
        "networkBindings": [
            [b.container_port, b.host_port, b.protocol, b.bind_ip] for b in c.network_bindings
        ],
        "healthStatus": c.health_status.value,
    }


def _container(doc: dict[str, Any]) -> TaskContainer:
    return TaskContainer(
        container_id=doc["id"],
        name=doc["name"],
        image=doc["image"],
        essential=doc["essential"],
        cpu=doc["cpu"],
        memory=doc.get("memory"),
        memory_reservation=doc.get("memoryReservation"),
        has_health_check=doc.get("hasHealthCheck", False),
        last_status=ContainerStatus(doc["lastStatus"]),
        exit_code=doc.get("exitCode"),
        reason=doc.get("reason"),
        runtime_id=doc.get("runtimeId"),
        image_digest=doc.get("imageDigest"),
        network_bindings=tuple(NetworkBinding(*b) for b in doc.get("networkBindings", [])),
        health_status=HealthStatus(doc.get("healthStatus") or "UNKNOWN"),
    )


def _overrides_doc(o: TaskOverrides) -> dict[str, Any]:
    return {
        "containers": [
            {
                "name": c.name,
                "command": list(c.command) if c.command is not None else None,
                "environment": [list(pair) for pair in c.environment],
                "cpu": c.cpu,
                "memory": c.memory,
                "memoryReservation": c.memory_reservation,
            }
            for c in o.containers
        ],
        "cpu": o.cpu,
        "memory": o.memory,
        "taskRoleArn": o.task_role_arn,
        "executionRoleArn": o.execution_role_arn,
    }


def _overrides(doc: dict[str, Any]) -> TaskOverrides:
    return TaskOverrides(
        containers=tuple(
            ContainerOverride(
                name=c["name"],
                command=tuple(c["command"]) if c.get("command") is not None else None,
                environment=tuple((k, v) for k, v in c.get("environment", [])),
                cpu=c.get("cpu"),
                memory=c.get("memory"),
                memory_reservation=c.get("memoryReservation"),
            )
            for c in doc.get("containers", [])
        ),
        cpu=doc.get("cpu"),
        memory=doc.get("memory"),
        task_role_arn=doc.get("taskRoleArn"),
        execution_role_arn=doc.get("executionRoleArn"),
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
