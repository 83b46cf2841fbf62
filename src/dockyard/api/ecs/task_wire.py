"""ECS ``Task`` / ``Container`` wire shapes ↔ domain values, and task references."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.domain import arns
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.task import (
    ContainerOverride,
    NetworkBinding,
    Task,
    TaskContainer,
    TaskOverrides,
)

MAX_OVERRIDES_CHARS = 8192
"""ECS: the JSON of ``overrides`` may be at most 8192 characters."""


def task_arn(ctx: RequestContext, task: Task) -> str:
    return arns.task_arn(ctx.region, ctx.account_id, task.cluster, task.task_id)


def parse_task_ref(ref: str, cluster: str) -> str | None:
    """The task id a reference names in ``cluster`` (ARN or bare id); None for another
    cluster's ARN or a malformed one."""
    if not ref.startswith("arn:"):
        return ref.rsplit("/", 1)[-1] or None
    parsed = arns.parse_arn(ref)
    if parsed is None or parsed.resource_type != "task":
        return None
    owner, _, task_id = parsed.resource_path.rpartition("/")
    if owner and owner != cluster:
        return None
    return task_id or None


def overrides_from_wire(wire: Mapping[str, Any] | None, size: int) -> TaskOverrides:
    """``overrides`` of RunTask / StartTask; ``size`` is its JSON length (checked here)."""
    if size > MAX_OVERRIDES_CHARS:
        raise InvalidParameterException(
            f"Container Overrides length must be at most {MAX_OVERRIDES_CHARS}"
        )
    if not wire:
        return TaskOverrides()
    containers = []
    for item in wire.get("containerOverrides") or ():
        if not item.get("name"):
            raise InvalidParameterException("Container override must specify a container name.")
        env = tuple(
            (str(e.get("name", "")), str(e.get("value", ""))) for e in item.get("environment") or ()
        )
        command = item.get("command")
        containers.append(
            ContainerOverride(
                name=item["name"],
                command=tuple(command) if command is not None else None,
                environment=env,
                cpu=item.get("cpu"),
                memory=item.get("memory"),
                memory_reservation=item.get("memoryReservation"),
            )
        )
    return TaskOverrides(
        containers=tuple(containers),
        cpu=wire.get("cpu"),
        memory=wire.get("memory"),
        task_role_arn=wire.get("taskRoleArn"),
        execution_role_arn=wire.get("executionRoleArn"),
    )


def overrides_to_wire(o: TaskOverrides) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "containerOverrides": [_container_override_to_wire(c) for c in o.containers],
        "inferenceAcceleratorOverrides": [],
    }
    for key, value in (
        ("cpu", o.cpu),
        ("memory", o.memory),
        ("taskRoleArn", o.task_role_arn),
        ("executionRoleArn", o.execution_role_arn),
    ):
        if value is not None:
            wire[key] = value
    return wire


def _container_override_to_wire(c: ContainerOverride) -> dict[str, Any]:
    wire: dict[str, Any] = {"name": c.name}
    if c.command is not None:
        wire["command"] = list(c.command)
    if c.environment:
        wire["environment"] = [{"name": k, "value": v} for k, v in c.environment]
    for key, value in (
        ("cpu", c.cpu),
        ("memory", c.memory),
        ("memoryReservation", c.memory_reservation),
    ):
        if value is not None:
            wire[key] = value
    return wire


def task_to_wire(
    ctx: RequestContext, task: Task, *, tags: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The ECS ``Task`` shape."""
    arn = task_arn(ctx, task)
    wire: dict[str, Any] = {
        "taskArn": arn,
        "clusterArn": arns.cluster_arn(ctx.region, ctx.account_id, task.cluster),
        "taskDefinitionArn": arns.task_definition_arn(
            ctx.region, ctx.account_id, task.family, task.revision
        ),
        "overrides": overrides_to_wire(task.overrides),
        "lastStatus": task.last_status.value,
        "desiredStatus": task.desired_status.value,
        "cpu": task.task_cpu or str(task.cpu),
        "memory": task.task_memory or str(task.memory),
        "containers": [_container_to_wire(ctx, task, c) for c in task.containers],
        "version": task.version,
        "createdAt": task.created_at,
        "group": task.group,
        "launchType": task.launch_type,
        "attachments": [],
        "healthStatus": task.health_status.value,
        "enableExecuteCommand": False,
        "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()],
    }
    if task.instance_id:
        wire["containerInstanceArn"] = arns.container_instance_arn(
            ctx.region, ctx.account_id, task.cluster, task.instance_id
        )
    optional = {
        "startedBy": task.started_by,
        "stopCode": task.stop_code.value if task.stop_code else None,
        "stoppedReason": task.stopped_reason,
        "connectivity": "CONNECTED" if task.connectivity_at else None,
        "connectivityAt": task.connectivity_at,
        "pullStartedAt": task.pull_started_at,
        "pullStoppedAt": task.pull_stopped_at,
        "startedAt": task.started_at,
        "stoppingAt": task.stopping_at,
        "executionStoppedAt": task.execution_stopped_at,
        "stoppedAt": task.stopped_at,
    }
    wire.update({k: v for k, v in optional.items() if v is not None})
    return wire


def _container_to_wire(ctx: RequestContext, task: Task, c: TaskContainer) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "containerArn": arns.container_arn(
            ctx.region, ctx.account_id, task.cluster, task.task_id, c.container_id
        ),
        "taskArn": task_arn(ctx, task),
        "name": c.name,
        "image": c.image,
        "lastStatus": c.last_status.value,
        "networkBindings": [binding_to_wire(b) for b in c.network_bindings],
        "networkInterfaces": [],
        "healthStatus": c.health_status.value,
        "cpu": str(c.cpu),
    }
    optional = {
        "runtimeId": c.runtime_id,
        "imageDigest": c.image_digest,
        "exitCode": c.exit_code,
        "reason": c.reason,
        "memory": str(c.memory) if c.memory is not None else None,
        "memoryReservation": (
            str(c.memory_reservation) if c.memory_reservation is not None else None
        ),
    }
    wire.update({k: v for k, v in optional.items() if v is not None})
    return wire


def binding_to_wire(b: NetworkBinding) -> dict[str, Any]:
    return {
        "bindIP": b.bind_ip,
        "containerPort": b.container_port,
        "hostPort": b.host_port,
        "protocol": b.protocol,
    }


def binding_from_wire(wire: Mapping[str, Any]) -> NetworkBinding:
    return NetworkBinding(
        container_port=int(wire.get("containerPort") or 0),
        host_port=int(wire.get("hostPort") or 0),
        protocol=str(wire.get("protocol") or "tcp"),
        bind_ip=str(wire.get("bindIP") or "0.0.0.0"),
    )
