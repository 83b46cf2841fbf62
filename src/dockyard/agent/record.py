"""What the agent knows about one task: the worker's mutable record, its view for the state
machine, its report for the control plane and its JSON form for the local state. Pure.

Invariant: only the task's worker mutates its record (one serial worker per task); every
status in it only moves forward (:func:`dockyard.domain.task_status.advance`).
Invariant: the JSON form holds no secret: resolved secrets, environment-file contents and
credentials live only in memory (``resources``); of the task role it keeps just the
credentials id, so a restarted agent serves the same relative URI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dockyard.agent.docker.ordering import implicit_dependencies
from dockyard.agent.manifest import TaskManifest, parse_task_manifest
from dockyard.agent.secrets_model import ContainerResources
from dockyard.agent.statemachine_model import (
    DEFAULT_STOP_TIMEOUT,
    ContainerDependency,
    ContainerView,
    DependencyCondition,
    TaskView,
)
from dockyard.domain.task import NetworkBinding
from dockyard.domain.task_definition import ContainerDefinition
from dockyard.domain.task_status import (
    AgentContainerStatus,
    DesiredStatus,
    HealthStatus,
    StopCode,
    TaskStatus,
    advance,
)

__all__ = ["ContainerRecord", "TaskRecord"]

_A = AgentContainerStatus


@dataclass(slots=True)
class ContainerRecord:
    name: str
    known: AgentContainerStatus = _A.NONE
    runtime_id: str | None = None
    docker_name: str | None = None
    exit_code: int | None = None
    reason: str | None = None
    started_at: datetime | None = None
    health: HealthStatus = HealthStatus.UNKNOWN
    bindings: tuple[NetworkBinding, ...] = ()

    def move_to(self, status: AgentContainerStatus) -> None:
        self.known = advance(self.known, status)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "known": self.known.value,
            "runtimeId": self.runtime_id,
            "dockerName": self.docker_name,
            "exitCode": self.exit_code,
            "reason": self.reason,
            "startedAt": _iso(self.started_at),
            "health": self.health.value,
            "bindings": [
                [b.container_port, b.host_port, b.protocol, b.bind_ip] for b in self.bindings
            ],
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ContainerRecord:
        return cls(
            name=doc["name"],
            known=_A(doc["known"]),
            runtime_id=doc.get("runtimeId"),
            docker_name=doc.get("dockerName"),
            exit_code=doc.get("exitCode"),
            reason=doc.get("reason"),
            started_at=_parse(doc.get("startedAt")),
            health=HealthStatus(doc.get("health") or "UNKNOWN"),
            bindings=tuple(NetworkBinding(*b) for b in doc.get("bindings") or ()),
        )


@dataclass(slots=True)
class TaskRecord:
    """A task on this instance. ``instance_id`` says which (a simulated agent has many)."""

    manifest: TaskManifest
    instance_id: str
    random_hex: str
    containers: dict[str, ContainerRecord] = field(default_factory=dict)
    last_status: TaskStatus = TaskStatus.PENDING
    desired: DesiredStatus = DesiredStatus.RUNNING
    stop_code: StopCode | None = None
    stopped_reason: str | None = None
    pull_started_at: datetime | None = None
    pull_stopped_at: datetime | None = None
    execution_stopped_at: datetime | None = None
    volumes_ready: bool = False
    """Transient: the task's Docker volumes were ensured by this process (idempotent anyway)."""
    credentials_id: str | None = None
    """The id of the task role's credentials at the endpoint (persisted; not a credential)."""
    resources_ready: bool = False
    """Transient: this process has fetched the task-role credentials and the execution-role
    resources (secrets, environment files) its containers still to be created need."""
    resources: dict[str, ContainerResources] = field(default_factory=dict, repr=False)
    """Transient, secret: per container, what the execution role fetched; dropped once every
    container is created or the task stops."""

    def __post_init__(self) -> None:
        for c in self.manifest.task_definition.container_definitions:
            self.containers.setdefault(c.name, ContainerRecord(c.name))
        if self.manifest.desired is DesiredStatus.STOPPED:
            self.desire_stop(self.manifest.stop_code, self.manifest.stopped_reason)

    @property
    def task_id(self) -> str:
        return self.manifest.task_id

    @property
    def task_arn(self) -> str:
        return self.manifest.task_arn

    @property
    def is_stopped(self) -> bool:
        return self.last_status is TaskStatus.STOPPED

    def definition(self, name: str) -> ContainerDefinition:
        for c in self.manifest.task_definition.container_definitions:
            if c.name == name:
                return c
        raise KeyError(name)

    def desire_stop(self, code: StopCode | None, reason: str | None) -> None:
        """desiredStatus STOPPED; the first stop code and reason win."""
        self.desired = DesiredStatus.STOPPED
        self.stop_code = self.stop_code or code
        self.stopped_reason = self.stopped_reason or reason

    def update_manifest(self, manifest: TaskManifest) -> None:
        self.manifest = manifest
        if manifest.desired is DesiredStatus.STOPPED:
            self.desire_stop(manifest.stop_code, manifest.stopped_reason)

    @property
    def needs_resources(self) -> bool:
        """A task role or execution-role resources to fetch before creating containers."""
        manifest = self.manifest
        return bool(manifest.task_role_arn) or manifest.needs_execution_resources

    def view(self) -> TaskView:
        """The state machine's input."""
        desired_container = _A.STOPPED if self.desired is DesiredStatus.STOPPED else _A.RUNNING
        return TaskView(
            resources_ready=self.resources_ready or not self.needs_resources,
            containers=tuple(
                _container_view(self.definition(name), c, desired_container)
                for name, c in self.containers.items()
            ),
            desired=self.desired,
            last_status=self.last_status,
            stop_code=self.stop_code,
            stopped_reason=self.stopped_reason,
        )

    def report(self) -> dict[str, Any]:
        """This task's state as one agent-channel report (SubmitTaskStateChange shape, plus
        ``stopCode`` and per-container ``healthStatus``)."""
        wire: dict[str, Any] = {
            "task": self.task_arn,
            "status": self.last_status.value,
            "containers": [_container_report(c) for c in self.containers.values()],
        }
        optional = {
            "reason": self.stopped_reason if self.is_stopped else None,
            "stopCode": self.stop_code.value if self.stop_code else None,
            "pullStartedAt": _epoch(self.pull_started_at),
            "pullStoppedAt": _epoch(self.pull_stopped_at),
            "executionStoppedAt": _epoch(self.execution_stopped_at),
        }
        wire.update({k: v for k, v in optional.items() if v is not None})
        return wire

    def to_json(self) -> dict[str, Any]:
        return {
            "manifest": dict(self.manifest.raw),
            "instanceId": self.instance_id,
            "randomHex": self.random_hex,
            "containers": [c.to_json() for c in self.containers.values()],
            "lastStatus": self.last_status.value,
            "desired": self.desired.value,
            "stopCode": self.stop_code.value if self.stop_code else None,
            "stoppedReason": self.stopped_reason,
            "pullStartedAt": _iso(self.pull_started_at),
            "pullStoppedAt": _iso(self.pull_stopped_at),
            "executionStoppedAt": _iso(self.execution_stopped_at),
            "credentialsId": self.credentials_id,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> TaskRecord:
        containers = {c["name"]: ContainerRecord.from_json(c) for c in doc["containers"]}
        record = cls(
            manifest=parse_task_manifest(doc["manifest"]),
            instance_id=doc["instanceId"],
            random_hex=doc["randomHex"],
            containers=containers,
        )
        record.last_status = TaskStatus(doc["lastStatus"])
        if doc["desired"] == DesiredStatus.STOPPED.value:
            record.desired = DesiredStatus.STOPPED
        record.stop_code = StopCode(doc["stopCode"]) if doc.get("stopCode") else record.stop_code
        record.stopped_reason = doc.get("stoppedReason") or record.stopped_reason
        record.pull_started_at = _parse(doc.get("pullStartedAt"))
        record.pull_stopped_at = _parse(doc.get("pullStoppedAt"))
        record.execution_stopped_at = _parse(doc.get("executionStoppedAt"))
        record.credentials_id = doc.get("credentialsId")
        return record


def _depends_on(d: ContainerDefinition) -> tuple[ContainerDependency, ...]:
    """``dependsOn``, plus START on every container it links to or takes volumes from: a Docker
    link or VolumesFrom needs its target to exist (the real agent's implicit CREATE)."""
    explicit = tuple(
        ContainerDependency(dep.container_name, DependencyCondition(dep.condition))
        for dep in d.depends_on or ()
    )
    named = {dep.container_name for dep in explicit}
    implicit = tuple(
        ContainerDependency(name, DependencyCondition.START)
        for name in implicit_dependencies(d)
        if name and name not in named
    )
    return explicit + implicit


def _container_view(
    d: ContainerDefinition, c: ContainerRecord, desired: AgentContainerStatus
) -> ContainerView:
    return ContainerView(
        name=c.name,
        known=c.known,
        desired=desired,
        essential=d.essential,
        exit_code=c.exit_code,
        health=c.health,
        has_health_check=d.health_check is not None,
        depends_on=_depends_on(d),
        start_timeout=timedelta(seconds=d.start_timeout) if d.start_timeout else None,
        stop_timeout=timedelta(seconds=d.stop_timeout) if d.stop_timeout else DEFAULT_STOP_TIMEOUT,
        started_at=c.started_at,
    )


def _container_report(c: ContainerRecord) -> dict[str, Any]:
    wire: dict[str, Any] = {
        "containerName": c.name,
        "status": c.known.reported.value,
        "healthStatus": c.health.value,
        "networkBindings": [
            {
                "bindIP": b.bind_ip,
                "containerPort": b.container_port,
                "hostPort": b.host_port,
                "protocol": b.protocol,
            }
            for b in c.bindings
        ],
    }
    for key, value in (
        ("runtimeId", c.runtime_id),
        ("exitCode", c.exit_code),
        ("reason", c.reason),
    ):
        if value is not None:
            wire[key] = value
    return wire


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _epoch(value: datetime | None) -> float | None:
    return value.astimezone(UTC).timestamp() if value else None
