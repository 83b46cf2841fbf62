"""The ECS task aggregate: one run of a task definition on a container instance.

Pure value objects and the pure transitions the control plane applies to them:

::

    new_task ──▶ PROVISIONING ──agent report──▶ PENDING ──▶ RUNNING ──▶ STOPPED
                     │                              ▲           │
                     └──────── request_stop ────────┴───────────┘  (desired STOPPED,
                                                                     lastStatus STOPPING)

- :func:`new_task` builds a task from a task definition, its overrides and a placement.
- :func:`request_stop` sets desiredStatus STOPPED (StopTask, an essential container exiting,
  the service scheduler); the first stopCode wins.
- :func:`apply_report` folds an agent's state change into the task.

Invariant: ``last_status`` and every container's ``last_status`` only move forward
(:func:`dockyard.domain.task_status.advance`); ``desired_status`` only moves RUNNING → STOPPED.
Invariant: a task holds its instance's resources until its ``last_status`` is STOPPED.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from dockyard.domain.task_definition import (
    ContainerDefinition,
    TaskDefinition,
    static_host_ports,
)
from dockyard.domain.task_status import (
    ESSENTIAL_CONTAINER_EXITED_REASON,
    ContainerStatus,
    DesiredStatus,
    HealthReport,
    HealthStatus,
    StopCode,
    TaskStatus,
    advance,
    task_health,
)

__all__ = [
    "MAX_REASON_LENGTH",
    "USER_STOP_REASON",
    "ContainerOverride",
    "ContainerReport",
    "NetworkBinding",
    "Task",
    "TaskContainer",
    "TaskOverrides",
    "TaskReport",
    "apply_report",
    "new_task",
    "release_drained",
    "request_stop",
]

MAX_REASON_LENGTH = 1024
"""ECS truncates container ``reason`` and task ``stoppedReason`` to this many characters."""

USER_STOP_REASON = "Task stopped by user"
"""The stoppedReason of a StopTask without ``reason``."""

_STOPPABLE_BY_REQUEST = frozenset({TaskStatus.RUNNING, TaskStatus.ACTIVATING})
"""A stop request moves these to STOPPING at once; earlier ones stop when the agent says so."""


@dataclass(frozen=True, slots=True)
class NetworkBinding:
    """A published port as ECS reports it (``networkBindings``)."""

    container_port: int
    host_port: int
    protocol: str = "tcp"
    bind_ip: str = "0.0.0.0"


@dataclass(frozen=True, slots=True)
class ContainerOverride:
    """``overrides.containerOverrides[]``: what RunTask / StartTask changed for one container."""

    name: str
    command: tuple[str, ...] | None = None
    environment: tuple[tuple[str, str], ...] = ()
    cpu: int | None = None
    memory: int | None = None
    memory_reservation: int | None = None


@dataclass(frozen=True, slots=True)
class TaskOverrides:
    containers: tuple[ContainerOverride, ...] = ()
    cpu: str | None = None
    memory: str | None = None
    task_role_arn: str | None = None
    execution_role_arn: str | None = None

    def for_container(self, name: str) -> ContainerOverride | None:
        return next((c for c in self.containers if c.name == name), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskContainer:
    """One container of a task as the control plane knows it."""

    container_id: str
    name: str
    image: str
    essential: bool = True
    cpu: int = 0
    memory: int | None = None
    memory_reservation: int | None = None
    has_health_check: bool = False
    last_status: ContainerStatus = ContainerStatus.PENDING
    exit_code: int | None = None
    reason: str | None = None
    runtime_id: str | None = None
    image_digest: str | None = None
    network_bindings: tuple[NetworkBinding, ...] = ()
    health_status: HealthStatus = HealthStatus.UNKNOWN


@dataclass(frozen=True, slots=True, kw_only=True)
class Task:
    """A task as stored. ``cpu`` / ``memory`` / ``ports`` are what it reserves on its instance
    (with overrides applied); ``version`` counts stored changes (ECS ``version``)."""

    task_id: str
    region: str
    cluster: str
    family: str
    revision: int
    instance_id: str | None
    containers: tuple[TaskContainer, ...]
    created_at: datetime
    launch_type: str = "EC2"
    last_status: TaskStatus = TaskStatus.PROVISIONING
    desired_status: DesiredStatus = DesiredStatus.RUNNING
    overrides: TaskOverrides = field(default_factory=TaskOverrides)
    cpu: int = 0
    memory: int = 0
    ports: tuple[tuple[int, str], ...] = ()
    task_cpu: str | None = None
    task_memory: str | None = None
    started_by: str | None = None
    group: str | None = None
    service_name: str | None = None
    client_token: str | None = None
    stop_code: StopCode | None = None
    stopped_reason: str | None = None
    health_status: HealthStatus = HealthStatus.UNKNOWN
    pull_started_at: datetime | None = None
    pull_stopped_at: datetime | None = None
    started_at: datetime | None = None
    connectivity_at: datetime | None = None
    stopping_at: datetime | None = None
    execution_stopped_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_after: datetime | None = None
    """While DEACTIVATING: when the load balancer has drained the task and its agent may stop
    it (until then the agent is told to keep it running)."""
    version: int = field(default=0, compare=False)

    @property
    def holds_resources(self) -> bool:
        return self.last_status is not TaskStatus.STOPPED

    def container(self, name: str) -> TaskContainer | None:
        return next((c for c in self.containers if c.name == name), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class ContainerReport:
    """What an agent reports for one container (``SubmitContainerStateChange`` semantics).
    None means "not reported"; a reported status never moves a container backwards."""

    name: str
    status: ContainerStatus | None = None
    exit_code: int | None = None
    reason: str | None = None
    runtime_id: str | None = None
    image_digest: str | None = None
    network_bindings: tuple[NetworkBinding, ...] | None = None
    health_status: HealthStatus | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TaskReport:
    """What an agent reports for a task (``SubmitTaskStateChange`` semantics)."""

    status: TaskStatus | None = None
    reason: str | None = None
    stop_code: StopCode | None = None
    containers: tuple[ContainerReport, ...] = ()
    pull_started_at: datetime | None = None
    pull_stopped_at: datetime | None = None
    execution_stopped_at: datetime | None = None


def new_task(
    td: TaskDefinition,
    *,
    task_id: str,
    container_ids: tuple[str, ...],
    region: str,
    cluster: str,
    instance_id: str | None,
    overrides: TaskOverrides,
    now: datetime,
    launch_type: str = "EC2",
    started_by: str | None = None,
    group: str | None = None,
    service_name: str | None = None,
    client_token: str | None = None,
) -> Task:
    """A PROVISIONING task of ``td`` with ``overrides`` applied to what it reserves.

    Precondition: ``container_ids`` has one id per container definition.
    """
    containers = tuple(
        _task_container(c, overrides, cid)
        for c, cid in zip(td.container_definitions, container_ids, strict=True)
    )
    return Task(
        task_id=task_id,
        region=region,
        cluster=cluster,
        family=td.family,
        revision=td.revision,
        instance_id=instance_id,
        containers=containers,
        created_at=now,
        launch_type=launch_type,
        overrides=overrides,
        cpu=_reserved_cpu(td, overrides, containers),
        memory=_reserved_memory(td, overrides, containers),
        ports=tuple(sorted(static_host_ports(td))),
        task_cpu=overrides.cpu or (str(td.cpu) if td.cpu is not None else None),
        task_memory=overrides.memory or (str(td.memory) if td.memory is not None else None),
        started_by=started_by,
        group=group or f"family:{td.family}",
        service_name=service_name,
        client_token=client_token,
    )


def request_stop(
    task: Task, code: StopCode, reason: str, now: datetime, *, drain_until: datetime | None = None
) -> Task:
    """desiredStatus STOPPED with ``code`` and ``reason``, unless already decided.

    A RUNNING (or ACTIVATING) task shows lastStatus STOPPING until its agent reports STOPPED;
    a task no agent has started yet stays where it is until the agent acknowledges. With
    ``drain_until`` a RUNNING task is DEACTIVATING instead (its load-balancer targets drain)
    and its agent keeps it running until :func:`release_drained`.
    Invariant: an existing stopCode / stoppedReason is never replaced.
    """
    if task.desired_status is DesiredStatus.STOPPED or task.last_status is TaskStatus.STOPPED:
        return task
    last = TaskStatus.STOPPING if task.last_status in _STOPPABLE_BY_REQUEST else task.last_status
    if drain_until is not None and task.last_status is TaskStatus.RUNNING:
        last = TaskStatus.DEACTIVATING
    return replace(
        task,
        desired_status=DesiredStatus.STOPPED,
        last_status=last,
        stop_code=task.stop_code or code,
        stopped_reason=task.stopped_reason or reason[:MAX_REASON_LENGTH],
        stopping_at=task.stopping_at or now,
        stop_after=drain_until if last is TaskStatus.DEACTIVATING else None,
    )


def release_drained(task: Task, now: datetime) -> Task:
    """A DEACTIVATING task whose drain time has come moves on to STOPPING (its agent stops
    it); any other task is returned unchanged."""
    if task.last_status is not TaskStatus.DEACTIVATING:
        return task
    if task.stop_after is not None and now < task.stop_after:
        return task
    return replace(task, last_status=TaskStatus.STOPPING, stop_after=None)


def apply_report(task: Task, report: TaskReport, now: datetime) -> Task:
    """Fold an agent report into ``task``. Reports about a STOPPED task change nothing.

    The control plane decides stop codes the agent leaves out: an essential container that
    stopped while the task should run is ``EssentialContainerExited``; a task that stops having
    never run is ``TaskFailedToStart``.
    """
    if task.last_status is TaskStatus.STOPPED:
        return task
    containers = tuple(_apply_container(c, report.containers) for c in task.containers)
    updated = replace(
        task,
        containers=containers,
        health_status=task_health(
            HealthReport(c.essential, c.has_health_check, c.health_status) for c in containers
        ),
        pull_started_at=task.pull_started_at or report.pull_started_at,
        pull_stopped_at=task.pull_stopped_at or report.pull_stopped_at,
    )
    updated = _stop_if_essential_exited(updated, now)
    if report.status is None:
        return updated
    return _advance_task(updated, report, now)


def _advance_task(task: Task, report: TaskReport, now: datetime) -> Task:
    assert report.status is not None
    status = report.status
    if task.desired_status is DesiredStatus.STOPPED and status is TaskStatus.RUNNING:
        if task.last_status is TaskStatus.DEACTIVATING:
            return task  # held running while its targets drain
        status = TaskStatus.STOPPING if task.last_status.rank < TaskStatus.STOPPING.rank else status
    last = advance(task.last_status, status)
    if last is task.last_status:
        return task
    if last is TaskStatus.STOPPED:
        return _stopped(task, report, now)
    started = task.started_at or (now if last.rank >= TaskStatus.RUNNING.rank else None)
    return replace(
        task,
        last_status=last,
        started_at=started,
        connectivity_at=task.connectivity_at or (now if started else None),
    )


def _stopped(task: Task, report: TaskReport, now: datetime) -> Task:
    ran = task.started_at is not None
    code = (
        task.stop_code
        or report.stop_code
        or (StopCode.ESSENTIAL_CONTAINER_EXITED if ran else StopCode.TASK_FAILED_TO_START)
    )
    reason = (
        task.stopped_reason
        or report.reason
        or _first_container_reason(task)
        or (ESSENTIAL_CONTAINER_EXITED_REASON if ran else "Task failed to start")
    )
    return replace(
        task,
        last_status=TaskStatus.STOPPED,
        desired_status=DesiredStatus.STOPPED,
        stop_code=code,
        stopped_reason=reason[:MAX_REASON_LENGTH],
        stopping_at=task.stopping_at or now,
        execution_stopped_at=task.execution_stopped_at or report.execution_stopped_at or now,
        stopped_at=now,
    )


def _stop_if_essential_exited(task: Task, now: datetime) -> Task:
    if task.desired_status is DesiredStatus.STOPPED:
        return task
    exited = [
        c for c in task.containers if c.essential and c.last_status is ContainerStatus.STOPPED
    ]
    if not exited:
        return task
    if task.started_at is None and all(c.runtime_id is None or c.reason for c in exited):
        reason = exited[0].reason or "Task failed to start"
        return request_stop(task, StopCode.TASK_FAILED_TO_START, reason, now)
    return request_stop(
        task, StopCode.ESSENTIAL_CONTAINER_EXITED, ESSENTIAL_CONTAINER_EXITED_REASON, now
    )


def _first_container_reason(task: Task) -> str | None:
    return next((c.reason for c in task.containers if c.reason), None)


def _apply_container(c: TaskContainer, reports: tuple[ContainerReport, ...]) -> TaskContainer:
    report = next((r for r in reports if r.name == c.name), None)
    if report is None or c.last_status is ContainerStatus.STOPPED:
        return c
    status = advance(c.last_status, report.status) if report.status else c.last_status
    return replace(
        c,
        last_status=status,
        exit_code=report.exit_code if report.exit_code is not None else c.exit_code,
        reason=(report.reason or c.reason or None)
        and (report.reason or c.reason or "")[:MAX_REASON_LENGTH],
        runtime_id=report.runtime_id or c.runtime_id,
        image_digest=report.image_digest or c.image_digest,
        network_bindings=(
            report.network_bindings if report.network_bindings is not None else c.network_bindings
        ),
        health_status=report.health_status or c.health_status,
    )


def _task_container(
    c: ContainerDefinition, overrides: TaskOverrides, container_id: str
) -> TaskContainer:
    o = overrides.for_container(c.name)
    return TaskContainer(
        container_id=container_id,
        name=c.name,
        image=c.image,
        essential=c.essential is not False,
        cpu=(o.cpu if o and o.cpu is not None else c.cpu) or 0,
        memory=o.memory if o and o.memory is not None else c.memory,
        memory_reservation=(
            o.memory_reservation if o and o.memory_reservation is not None else c.memory_reservation
        ),
        has_health_check=c.health_check is not None,
    )


def _reserved_cpu(
    td: TaskDefinition, o: TaskOverrides, containers: tuple[TaskContainer, ...]
) -> int:
    if o.cpu is not None and o.cpu.isdigit():
        return int(o.cpu)
    if td.cpu is not None:
        return td.cpu
    return sum(max(c.cpu, 0) for c in containers)


def _reserved_memory(
    td: TaskDefinition, o: TaskOverrides, containers: tuple[TaskContainer, ...]
) -> int:
    if o.memory is not None and o.memory.isdigit():
        return int(o.memory)
    if td.memory is not None:
        return td.memory
    total = 0
    for c in containers:
        total += (c.memory_reservation if c.memory_reservation is not None else c.memory) or 0
    return total
